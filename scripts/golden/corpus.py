#!/usr/bin/env python3
"""Builds the sentence lists for Mynah's text-frontend golden sets (zh, en, mixed zh+en).

Sources (all public, read from local copies; paths via env vars):
  - written here: templates for numbers, dates, clock times, currency, phone numbers, polyphones,
    tone-sandhi cases, erhua, homographs, conversational lines, mixed zh+en product/tech sentences;
  - NLTK corpora (nltk_data): state_union (speeches), abc (ABC science/rural news), webtext
    (overheard conversations, reviews), inaugural; udhr Chinese_Mandarin-UTF8 (UN declaration);
  - GPT-SoVITS docs/cn (README, Changelog_CN: real mixed zh+en text);
  - jieba test texts, split-lang test sentences.
Writes NAME.txt (one sentence per line) to OUT_DIR. Deterministic (seeded).
"""
import os, random, re, sys, glob

OUT = sys.argv[1] if len(sys.argv) > 1 else '/tmp/golden-src'
NLTK = os.environ.get('NLTK_CORPORA', '/tmp/nltk_data/corpora')
EXTRA = os.environ.get('EXTRA_TEXT', '/tmp/golden-extra')  # docs/cn etc. as plain files
rng = random.Random(16)
os.makedirs(OUT, exist_ok=True)

def sentences_of(text, zh=False):
    text = re.sub(r'\s+', ' ' if not zh else '', text) if zh else re.sub(r'\s+', ' ', text)
    parts = re.split(r'(?<=[。！？!?])|(?<=[.!?])\s+(?=[A-Z"“])', text)
    return [p.strip() for p in parts if p and p.strip()]

def uniq(xs):
    seen, out = set(), []
    for x in xs:
        x = x.strip()
        if x and x not in seen and len(x) <= 200:
            seen.add(x); out.append(x)
    return out

# ---------------------------------------------------------------- Chinese
ZH_SUBJ = ['我', '你', '他', '她', '我们', '你们', '他们', '老师', '妈妈', '爸爸', '小明', '王经理', '我的朋友', '这个孩子', '大家', '邻居', '医生', '学生们', '公司', '政府', '记者', '奶奶', '同事', '张教授']
ZH_TIME = ['今天', '明天', '昨天', '刚才', '每天早上', '周末', '晚上', '下个月', '去年', '上午', '最近', '一会儿', '现在', '后天', '春节前', '']
ZH_PLACE = ['在家里', '在学校', '在公园里', '在银行', '在商店', '在北京', '在上海', '在办公室', '在路上', '在医院', '在图书馆', '在朝阳区', '在长江边', '']
ZH_VP = ['吃饭', '看书', '写作业', '打电话', '去银行办事', '学习中文', '开会', '跑步', '听音乐', '做饭', '买东西', '看电影', '睡觉', '洗衣服', '打扫房间', '骑自行车', '坐地铁', '唱歌', '画画', '种花', '调查情况', '处理问题', '整理资料', '还钱', '长得很快', '重新开始', '参加比赛', '发现问题', '准备考试', '复习功课', '弹钢琴', '教数学', '数钱', '着急', '找工作', '收拾行李', '看病', '修电脑', '调到三频道', '剪头发', '传球', '打折', '觉得很累', '倒垃圾', '背单词', '给花浇水', '读报纸', '玩游戏', '喝茶', '等朋友']
ZH_END = ['。', '吗？', '吧。', '呢？', '了。', '啊！', '。', '！', '呀。', '了吗？']
ZH_ADV = ['', '都', '也', '还', '一直', '经常', '已经', '马上', '不', '没', '常常', '慢慢地', '认真地', '偷偷地', '好好地', '只']

ZH_HAND = '''你好，很高兴认识你。
谢谢你的帮助！
对不起，我来晚了。
没关系，不用客气。
你吃饭了吗？
我们一起去看电影吧。
这件衣服多少钱？
太贵了，能便宜一点儿吗？
请问洗手间在哪儿？
我不太明白你的意思。
他说的话我一句也听不懂。
这个问题一时半会儿解决不了。
你去不去？
好不好吃？
行不行啊？
他长得很高，比他哥哥还高。
这孩子长得真快。
我只想安静一会儿。
这只猫真可爱。
只要努力，就一定能成功。
朝阳区的交通很拥挤。
早晨的朝阳格外美丽。
他把音量调到最大。
这件事需要认真调查。
我觉得这首歌很好听。
昨晚我睡了一个好觉。
银行在马路对面。
他一个人走在路上。
我们一起度过了一整天。
一百个人参加了比赛。
他们打了一场篮球。
一九九八年，我出生了。
第一名是小王。
看一看，尝一尝。
这是我的，那是你的。
他跑得很快。
我得走了。
你的确是对的。
她唱歌唱得好极了。
把门关上。
他们都是好朋友。
首都北京是一座古老的城市。
这件事还没有结束。
借的钱要按时还。
快乐的音乐让人放松。
重要的事情说三遍。
请你重新说一遍。
这道题的答案是什么？
他是我们班的班长。
长江是中国最长的河流。
天气预报说明天有雨。
外面下着大雨，别忘了带伞。
妈妈在厨房里做饭。
小朋友们在操场上玩耍。
这本书我已经看过了。
你为什么不早点儿告诉我？
为了实现梦想，他每天都在努力。
这个地方风景很美。
他慢慢地走进了房间。
大家好，欢迎收听今天的节目。
本台记者从现场发回报道。
据新华社报道，今年粮食产量再创新高。
专家表示，经济形势总体稳定。
会议强调，要进一步加强生态环境保护。
股市今天小幅上涨。
警方提醒市民注意防范电信诈骗。
春天来了，花儿都开了。
小孩儿在院子里玩儿。
你在哪儿呢？
我一点儿也不累。
这儿的东西真便宜。
女儿今年上小学了。
他是个孤儿。
奶奶给我讲了一个故事。
我们明天见！
祝你生日快乐！
恭喜发财，万事如意。
一路平安。
我想喝一杯咖啡。
请把窗户打开。
你会说中文吗？
我会一点儿。
这个字怎么读？
他的中文说得很流利。
我们班有三十个学生。
明天是星期几？
现在几点了？
我正在看电视。
你觉得怎么样？
不要着急，慢慢来。
他着凉了，有点儿发烧。
飞机已经着陆了。
这些数据需要再核对一下。
他们正在讨论下一步的计划。
我们应该互相帮助。
这个消息让大家很高兴。
他把钥匙忘在家里了。
他们家的狗很聪明。
我喜欢吃饺子。
这部电影讲的是一个爱情故事。
他终于考上了大学。
你的想法很有意思。
差不多就行了。
他下个月要去上海出差。
参差不齐的树木。
我们和好了。
他们在和面包饺子。
世界和平是人类的共同愿望。
好好学习，天天向上。
他爱好摄影。
这件事好办。
请把衣服洗干净。
他是一名干部。
老师教我们唱歌。
教育是国家的根本。
数一数有几个苹果。
数学是我最喜欢的科目。
发现了一个新星。
他的头发很长。
中间那个人是谁？
他中奖了！
传说这里曾经有一条龙。
这本传记很有名。
到处都是人。
处理好这件事。
我了解他的情况。
好了，我们走吧。
不对，你再想想。
不要说话。
一样的东西。
一天一天过去了。
一年又一年。
一个苹果。
看看这本书。
妈妈，谢谢你。
星星在天上眨眼睛。
说说你的想法。
我们商量商量。
嗯，我知道了。
呣，让我想想。
他说：“我明天来。”
她问：“你去哪儿？”
《红楼梦》是一部伟大的小说。
这种药一天吃三次，每次两片。
这次考试他考了九十八分。
南京市长江大桥。
乒乓球拍卖完了。
结婚的和尚未结婚的。
他从小就喜欢画画儿。
他们俩是同学。
请勿吸烟。
谁都不知道他去了哪里。
这件事跟你没关系。
我们公司正在招聘。
人工智能正在改变世界。
他是个喜欢刨根问底的人。
这里的空气很新鲜。
湖面上倒映着蓝天白云。
他的声音很好听。
这条裙子颜色太鲜艳了。
你先走，我随后就到。'''.splitlines()

def zh_numbers():
    out = []
    for _ in range(700):
        y = rng.randint(1900, 2030); m = rng.randint(1, 12); d = rng.randint(1, 28)
        h = rng.randint(0, 23); mi = rng.randint(0, 59)
        n = rng.choice([rng.randint(0, 9), rng.randint(10, 99), rng.randint(100, 9999), rng.randint(10000, 99999999)])
        f = round(rng.uniform(0, 1000), rng.choice([1, 2]))
        t = rng.choice([
            f'会议定于{y}年{m}月{d}日召开。', f'{y}年{m}月{d}日，天气晴。', f'他出生于{y}年。', f'现在是{h}:{mi:02d}。',
            f'火车{h}点{mi}分出发。', f'这件衣服{n}元。', f'价格是{f}元。', f'总共花了¥{n}。', f'一共{n}个人。', f'气温达到{rng.randint(-20, 40)}℃。',
            f'增长了{rng.randint(1, 99)}%。', f'下降了{f}%。', f'请拨打{rng.choice(["13", "15", "18"])}{rng.randint(100000000, 999999999)}。',
            f'客服电话：400-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}。', f'他的体重是{rng.randint(40, 120)}kg。',
            f'距离还有{f}公里。', f'比分是{rng.randint(0, 5)}:{rng.randint(0, 5)}。', f'这是第{rng.randint(1, 50)}次了。', f'有{rng.randint(2, 9)}/{rng.randint(10, 20)}的人同意。',
            f'年龄在{rng.randint(10, 30)}-{rng.randint(31, 60)}岁之间。', f'房间号是{rng.randint(100, 999)}。', f'截至{m}月{d}日，累计确诊{n}例。',
            f'{y}年的GDP增长了{f}%。', f'我有{rng.randint(2, 20)}本书。', f'他跑了{rng.randint(1, 42)}公里。', f'利率是{rng.uniform(1, 6):.2f}%。',
            f'这台电脑卖{n}块钱。', f'{m}月{d}日是我的生日。', f'第{rng.randint(1, 9)}章第{rng.randint(1, 30)}节。', f'共有{n}名学生参加了考试。',
            f'一九九八年的{m}月。', f'编号{rng.randint(1000, 9999)}的包裹到了。', f'他今年{rng.randint(1, 99)}岁。', f'${n}的预算。',
            f'面积约{f}平方米。', f'{h}点整开会。', f'从{rng.randint(1, 12)}点到{rng.randint(1, 12)}点。', f'-{rng.randint(1, 30)}度。',
        ])
        out.append(t)
    return out

def zh_combos(k):
    out = []
    for _ in range(k):
        s = rng.choice(ZH_SUBJ) + rng.choice(ZH_TIME) + rng.choice(ZH_PLACE) + rng.choice(ZH_ADV) + rng.choice(ZH_VP)
        if rng.random() < 0.3:
            s += '，' + rng.choice(ZH_SUBJ) + rng.choice(ZH_ADV) + rng.choice(ZH_VP)
        out.append(s + rng.choice(ZH_END))
    return out

def zh_real():
    out = []
    p = os.path.join(NLTK, 'udhr', 'Chinese_Mandarin-UTF8')
    if os.path.exists(p):
        t = open(p, encoding='utf-8-sig', errors='ignore').read().replace(' ', '')
        out += [s for s in re.split(r'(?<=[。；！？])|\n', t) if len(s.strip()) >= 4]
    for f in glob.glob(os.path.join(EXTRA, 'zh-*.txt')):
        for line in open(f, encoding='utf-8'):
            line = re.sub(r'\[([^\]]*)\]\([^)]*\)', r'\1', line)
            line = re.sub(r'[`*#>|]|<[^>]+>', '', line).strip(' -\t\n')
            if re.search(r'[\u4e00-\u9fff]', line) and not re.search(r'[A-Za-z]', line):
                out += [s for s in re.split(r'(?<=[。！？])', line) if len(s.strip()) >= 4]
    return out

# ---------------------------------------------------------------- English
EN_HAND = '''I read the book yesterday, and I will read it again tomorrow.
Please record the meeting so we can listen to the record later.
The soldier did not desert his post in the desert.
It was a perfect day to perfect our plan.
We offer a discount, but don't discount the risks.
I object to that object on the table.
The present is a gift; let me present it to you.
Lead the team, and avoid lead pipes.
They live in a house near the live music venue.
Wind the clock before the wind gets stronger.
Close the door, we are close to the end.
A tear rolled down her cheek as she began to tear the letter.
He plays the bass guitar and caught a bass.
Wait a minute, that is a minute detail.
The content of the book made me content.
The project will project the image onto the wall.
Farmers produce fresh produce every week.
They refuse to collect the refuse.
Conduct the orchestra with good conduct.
We signed a contract, and muscles contract.
You need a permit to permit that.
The complex is a complex system.
Please practice your practice exam.
I used to live in London.
He wound the bandage around the wound.
The dove dove into the bushes.
Does he like does?
I can't believe it's already 5:30 p.m.
The meeting starts at 9:00 a.m. sharp.
It costs $3.50, or about £2.75.
The temperature dropped to -5 degrees.
She finished 1st, and he came 22nd.
Call me at 555-0123.
The population grew by 12.5% in 2019.
He was born on January 5, 1990.
We need 2 or 3 volunteers.
Version 2.0 was released in the 1990s.
Hello, world!
How are you doing today?
Thanks a lot; see you soon.
Note: this is important.
Well, I think so; maybe not.
What's up? Not much.
Don't worry, be happy.
It's a beautiful day, isn't it?
Let's grab some coffee.
I'm going to the store, do you need anything?
Could you please pass the salt?
She said, "I'll be there at noon."
That's the most ridiculous thing I've ever heard!
The quick brown fox jumps over the lazy dog.
Mr. Smith went to Washington.
Dr. Brown lives on Elm St.
The U.S. economy grew last quarter.
NASA launched a new satellite.
The CEO of the company resigned.
I bought a new iPhone.
Their pharmaceutical conglomerate acquired a biotechnology startup.
The ophthalmologist examined the patient's retina.
Onomatopoeia is a fascinating linguistic phenomenon.
The archaeologist discovered an ancient sarcophagus.
His idiosyncratic behavior was quite peculiar.
The juxtaposition of the two paintings was striking.
She has an insatiable curiosity.
The entrepreneur's ubiquitous presence was notable.
Photosynthesis converts sunlight into chemical energy.
The mitochondria is the powerhouse of the cell.'''.splitlines()

EN_HOMO = ['read', 'record', 'desert', 'perfect', 'discount', 'object', 'present', 'lead', 'live', 'wind', 'close', 'tear', 'bass', 'minute', 'content', 'project', 'produce', 'refuse', 'conduct', 'contract', 'permit', 'complex', 'increase', 'decrease', 'export', 'import', 'subject', 'progress', 'conflict', 'address', 'estimate', 'separate', 'graduate', 'moderate', 'alternate', 'use', 'excuse', 'abuse', 'house', 'rebel', 'insult', 'survey', 'suspect', 'upset', 'convert', 'convict', 'digest', 'extract', 'protest', 'reject', 'transfer', 'torment', 'combat', 'compound', 'contest', 'defect', 'entrance', 'incline', 'invalid', 'misuse', 'overlook', 'primer', 'rebound', 'record', 'recount', 'reject', 'relay', 'reprint', 'resume', 'row', 'sow', 'wound']
EN_CTX = ['I {w} it.', 'They {w} every day.', 'We will {w} that soon.', 'The {w} was on the table.', 'This is a {w} example.', 'She wants to {w} the results.', 'A new {w} arrived.', 'He {w}s quickly.', 'Did you {w} it?', 'The {w} is important.', 'Please {w} carefully.', 'It was {w}.']

def en_numbers():
    out = []
    for _ in range(500):
        h = rng.randint(1, 12); mi = rng.randint(0, 59); n = rng.randint(0, 100000); f = round(rng.uniform(0, 1000), 2)
        out.append(rng.choice([
            f'The train leaves at {h}:{mi:02d} {rng.choice(["a.m.", "p.m.", "am", "pm", "AM", "PM"])}.', f'It costs ${f}.', f'We sold {n} units.',
            f'The score was {rng.randint(0, 9)}-{rng.randint(0, 9)}.', f'Temperature: {rng.randint(-30, 40)} degrees.', f'That is {rng.randint(1, 99)}% off.',
            f'He finished {rng.choice(["1st", "2nd", "3rd", "4th", "21st", "32nd", "103rd"])}.', f'In {rng.randint(1800, 2030)}, things changed.',
            f'I have {rng.randint(2, 12)} cats and {rng.randint(2, 12)} dogs.', f'The value dropped to -{rng.randint(1, 99)}.', f'Add {f} and {rng.randint(1, 99)}.',
            f'Room {rng.randint(100, 999)} is on the left.', f'It weighs {f} kg.', f'Meet me at {h}:{mi:02d}.', f'That cost £{rng.randint(1, 999)}.',
            f'Chapter {rng.randint(1, 30)}; section {rng.randint(1, 9)}.', f'The year {rng.randint(1000, 2099)} was special.', f'About {n} people came.',
        ]))
    return out

def en_real():
    out = []
    for sub in ['state_union/*.txt', 'abc/*.txt', 'webtext/overheard.txt', 'webtext/wine.txt', 'webtext/singles.txt', 'inaugural/*.txt']:
        for f in sorted(glob.glob(os.path.join(NLTK, sub))):
            t = open(f, encoding='latin-1').read()
            t = re.sub(r'^[^:\n]{1,30}: ', '', t, flags=re.M)
            out += [s for s in sentences_of(t) if 15 <= len(s) <= 160 and not re.search(r'[^\x20-\x7e]', s)]
    return out

# ---------------------------------------------------------------- mixed
MIX_EN = ['iPhone', 'Android', 'GPT', 'ChatGPT', 'AI', 'Python', 'Java', 'JavaScript', 'GitHub', 'Google', 'Microsoft', 'Apple', 'email', 'Wi-Fi', 'PPT', 'Excel', 'Word', 'YouTube', 'TikTok', 'NBA', 'CEO', 'KPI', 'OK', 'App', 'iPad', 'MacBook', 'Windows', 'Linux', 'Zoom', 'Tesla', 'Model 3', 'iPhone 15 Pro', 'GPT-4', 'PDF', 'USB', 'Bluetooth', 'WiFi', 'Coffee', 'hello', 'bye', 'Happy Birthday', 'Thank you', 'deadline', 'meeting', 'project', 'team', 'feedback', 'presentation', 'schedule', 'check', 'update', 'download', 'upload', 'online', 'offline', 'VIP', 'DIY', 'SUV', 'MBA', 'IT', 'HR', 'App Store', 'Steam', 'Switch', 'PlayStation', 'Xbox', 'Netflix', 'Spotify', 'Uber', 'Amazon', 'Facebook', 'Twitter', 'Instagram', 'WeChat', 'Starbucks', 'McDonald\'s', 'KFC', 'Nike', 'Adidas', 'Disney', 'Marvel', 'Harry Potter', 'the Beatles', 'Taylor Swift', 'New York', 'London', 'Paris', 'Tokyo', 'OpenAI', 'Transformer', 'GPU', 'CPU', 'RAM', 'SSD', 'HDMI', 'API', 'SDK', 'bug', 'debug', 'commit', 'merge', 'push', 'pull request', 'code review', 'docker', 'Kubernetes', 'cloud', 'server', 'database', 'SQL', 'React', 'Vue', 'node', 'npm']
MIX_T = ['我用{e}拍照。', '今天我们学习{e}。', '你会用{e}吗？', '这是{e}的新功能。', '我刚买了一台{e}。', '{e}真的很好用。', '他在{e}上发了一条消息。',
         '我们明天用{e}开会，记得准时参加。', '请把{e}发给我。', '我觉得{e}，还不错。', '{e}，你好！', '他说{e}，然后就走了。', '这个{e}有问题，需要修复。',
         '我最喜欢的是{e}和{e2}。', '老板让我今天之内完成{e}。', '你有没有{e}的账号？', '{e}的价格是{n}元。', '我在{e}工作了{n}年。', '下载{e}需要{n}分钟。',
         '我们用{e}写了一个{e2}。', '周末去{e}吃饭吧。', '刚才{e}崩溃了。', '{e} is great，我很喜欢。', '他的{e}分数是{n}分。', '这款{e}支持{e2}。',
         '打开{e}，然后点击{e2}。', '今年{e}的销量增长了{n}%。', '我明天要交{e}，今晚得加班。', '他是{e}的粉丝。', '会议上讨论了{e}和{e2}的问题。']

def mixed_real():
    out = []
    for f in glob.glob(os.path.join(EXTRA, 'zh-*.txt')):
        for line in open(f, encoding='utf-8'):
            line = re.sub(r'\[([^\]]*)\]\([^)]*\)', r'\1', line)
            line = re.sub(r'https?://\S+|[`*#>|]|<[^>]+>', '', line).strip(' -\t\n')
            line = re.sub(r'^(内容|类型|提交)[:：]\s*', '', line)
            if re.search(r'[\u4e00-\u9fff]', line) and re.search(r'[A-Za-z]{2}', line) and 6 <= len(line) <= 160:
                out.append(line)
    p = '/tmp/src/DoodleBears+split-lang/tests/data/correct_split.txt'
    if os.path.exists(p):
        for line in open(p, encoding='utf-8'):
            t = line.strip().replace('|', '')
            if re.search(r'[\u4e00-\u9fff]', t) and re.search(r'[A-Za-z]', t) and not re.search(r'[\u3040-\u30ff\uac00-\ud7af]', t):
                out.append(t)
    return out

def mixed_combos(k):
    out = []
    for _ in range(k):
        t = rng.choice(MIX_T)
        out.append(t.replace('{e}', rng.choice(MIX_EN), 1).replace('{e2}', rng.choice(MIX_EN)).replace('{e}', rng.choice(MIX_EN)).replace('{n}', str(rng.choice([rng.randint(1, 9), rng.randint(10, 999), round(rng.uniform(0, 100), 1)]))))
    return out

zh = uniq(ZH_HAND + zh_numbers() + zh_real() + zh_combos(2600))
en = uniq(EN_HAND + [rng.choice(EN_CTX).format(w=w) for w in EN_HOMO for _ in range(4)] + en_numbers() + en_real())
rng.shuffle(en)
en = uniq(EN_HAND + en[:3400])
mixed = uniq(mixed_real() + mixed_combos(2200))
for name, xs in [('zh', zh), ('en', en), ('mixed', mixed)]:
    with open(os.path.join(OUT, name + '.txt'), 'w', encoding='utf-8') as f:
        f.write('\n'.join(xs) + '\n')
    print(name, len(xs))
