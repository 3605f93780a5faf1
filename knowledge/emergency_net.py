"""placeholder"""
def second_net(situation, said, rules):
    return []
