import re, yaml, collections
CATS = ["nom","nir","telephone","email","date_naissance","adresse","ipp"]
MIN = dict(nom=60,nir=25,telephone=35,email=15,date_naissance=30,adresse=25,ipp=15)
data = yaml.safe_load(open('/work/sets/masquage/masquage.yml', encoding='utf-8'))
assert isinstance(data, list)
ids = [d['id'] for d in data]; assert len(ids) == len(set(ids)), 'dup ids'
c = collections.Counter(); noid = 0; multi = 0; voices = collections.Counter()
for d in data:
    t = d['text']; assert d['voice'] in {'clinique','sms','operateur','recit','proche'}, d
    assert t.count('[[') == t.count(']]'), d['id']
    stripped = re.sub(r'\[\[([a-z_]+):([^\[\]]+)\]\]', '', t)
    assert '[[' not in stripped and ']]' not in stripped, d['id']
    ms = re.findall(r'\[\[([a-z_]+):([^\[\]]+)\]\]', t)
    for cat, val in ms:
        assert cat in CATS, (d['id'], cat)
        assert val == val.strip(), (d['id'], val)
        c[cat] += 1
        if cat == 'nir':
            dd = re.sub(r'[^0-9AB]', '', val)
            assert len(dd) in (13, 15), (d['id'], val)
            if len(dd) == 15:
                n = int(dd[:13].replace('2A','19').replace('2B','18'))
                assert 97 - n % 97 == int(dd[13:]), (d['id'], val)
    if not ms: noid += 1
    if len(ms) >= 3: multi += 1
    voices[d['voice']] += 1
print('messages', len(data), 'no-identifier', noid, '>=3 ids', multi, dict(voices))
print('%-15s %5s %5s' % ('category', 'count', 'min'))
for k in CATS: print('%-15s %5d %5d %s' % (k, c[k], MIN[k], 'OK' if c[k] >= MIN[k] else 'LOW'))
print('total', sum(c.values()))
