"""placeholder"""
def doubts(situation, said, rules):
    return []
