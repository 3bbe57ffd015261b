// Expected strings below are derived by reading upstream's rules (zh_normalization, en_normalization,
// text_segmentation_method.py, TextPreprocessor.py), not by running our code.
import { describe, expect, it } from 'vitest';
import { normalizeZh, readCardinal, readNumber, readDigits } from '../../src/text/normalize/zh';
import { normalizeEn, numberToWords } from '../../src/text/normalize/en';
import { readJapaneseNumber, normalizeJa } from '../../src/text/normalize/ja';
import { applyCut, mergeShortTexts, segmentByLanguage, splitBigText, splitText } from '../../src/text/segment';
import { MynahError } from '../../src/errors';

describe('Chinese number reading', () => {
  it.each([
    ['0', '零'], ['10', '十'], ['15', '十五'], ['105', '一百零五'], ['1010', '一千零一十'], ['10000', '一万'],
    ['20300', '二万零三百'], ['100000000', '一亿'], ['007', '七'],
  ])('cardinal %s -> %s', (n, w) => expect(readCardinal(n)).toBe(w));
  it.each([['3.14', '三点一四'], ['0.5', '零点五'], ['3.20', '三点二零'], ['3.0', '三点零'], ['.5', '零点五']])('number %s -> %s', (n, w) =>
    expect(readNumber(n)).toBe(w),
  );
  it('digits with 幺', () => expect(readDigits('110', true)).toBe('幺幺零'));
});

describe('Chinese normalization', () => {
  it.each([
    ['今天是2024年3月15日。', '今天是二零二四年三月十五日.'],
    ['会议在2023-12-25举行', '会议在二零二三年十二月二十五日举行'],
    ['现在是14:30', '现在是十四点半'],
    ['8:05到9:00', '八点零五分到九点'],
    // Upstream tests the first minute for 半 in ranges, so 17:30 reads 三十分 here.
    ['营业时间8:00-17:30', '营业时间八点至十七点三十分'],
    ['涨了12.5%', '涨了百分之十二点五'],
    ['跌了-3%', '跌了负百分之三'],
    ['气温-3℃', '气温零下三度'],
    ['有3/4的人', '有四分之三的人'],
    ['电话13812345678', '电话幺三八幺二三四五六七八'],
    // Spaces are removed before the phone rule runs, so there is no pause after 86.
    ['拨打+86 13812345678', '拨打八六幺三八幺二三四五六七八'],
    ['他有25本书', '他有二十五本书'],
    ['买了2个', '买了两个'],
    ['10~20岁', '十到二十岁'],
    ['房间302', '房间三零二'],
    ['版本1.2.3', '版本一点二点三'],
    ['2的3次方是x²', '二的三次方是的二次方'],
    ['1+1=2', '一加一等于二'],
    ['身高180cm', '身高一百八十厘米'],
    ['编号1000000', '编号幺零零零零零零'],
    ['這是繁體', '这是繁体'],
    ['他说：“你好！”', '他说,你好!'],
    ['好……吧～', '好…吧…'],
    ['嗯，呣', '恩,母'],
    ['《三体》【好书】', '三体好书'],
    ['①号', '一号'],
    ['ABC你好', '你好'],
    ['你好！！！？？', '你好!'],
  ])('%s -> %s', (input, expected) => expect(normalizeZh(input)).toBe(expected));
});

describe('English normalization', () => {
  it.each([
    ['7', 'seven'], ['21', 'twenty-one'], ['100', 'one hundred'], ['115', 'one hundred fifteen'],
    ['3500', 'three thousand, five hundred'], ['1000000', 'one million'],
  ])('number %s -> %s', (n, w) => expect(numberToWords(n)).toBe(w));
  it.each([
    ['I have 3 apples.', 'I have three apples.'],
    ['Born in 1984.', 'Born in nineteen eighty-four.'],
    ['In 2005 and 2000.', 'In two thousand five and two thousand.'],
    ['In 1900.', 'In nineteen hundred.'],
    ['It costs $6.24.', 'It costs six dollars and twenty-four cents.'],
    ['Only $1.', 'Only one dollar.'],
    ['I paid £7.14.', 'I paid seven pounds and fourteen pence.'],
    ['Pi is 3.14.', 'Pi is three point one four.'],
    ['About 3/4, 1/2 and 3/2.', 'About three fourths, one half and three halves.'],
    ['1st and 22nd', 'first and twenty-second'],
    ['12,000 people', 'twelve thousand people'],
    ['50% off', 'fifty percent off'],
    ['Run 5km and 1km.', 'Run five kilometers and one kilometer.'],
    ['GPT rocks', 'G P T rocks'],
    ['e.g. this', 'for example this'],
    ['Café', 'Cafe'],
    ['Wait; what: this', 'Wait what this'], // upstream's rep_map never matches ; or :, its filter deletes them,
    ['3 + 4 = 7', 'three plus four Equals seven'],
    ['Wow!!!', 'Wow!'],
  ])('%s -> %s', (input, expected) => expect(normalizeEn(input)).toBe(expected));
});

describe('Japanese normalization', () => {
  it.each([
    ['0', 'ゼロ'], ['3', 'サン'], ['10', 'ジュウ'], ['300', 'サンビャク'], ['600', 'ロッピャク'], ['800', 'ハッピャク'],
    ['3000', 'サンゼン'], ['8000', 'ハッセン'], ['2024', 'ニセンニジュウヨン'], ['10000', 'イチマン'], ['10000000', 'イッセンマン'],
  ])('%s -> %s', (n, w) => expect(readJapaneseNumber(n)).toBe(w));
  it('collapses repeated marks', () => expect(normalizeJa('えっ!?。。')).toBe('えっ!。。'));
});

describe('language segmentation', () => {
  const seg = (t: string, mode: 'auto' | 'zh' | 'ja' | 'en' = 'auto') => segmentByLanguage(t, mode).map((s) => `${s.lang}:${s.text}`);
  it('splits zh / en / ja runs', () => {
    expect(seg('我喜欢用iPhone拍照。')).toEqual(['zh:我喜欢用', 'en:iPhone', 'zh:拍照。']);
    expect(seg('MyGO?,你也喜欢まいご吗？')).toEqual(['en:MyGO?,', 'zh:你也喜欢', 'ja:まいご', 'zh:吗？']);
    expect(seg('東京は大きいです。Tokyo is big.')).toEqual(['ja:東京は大きいです。', 'en:Tokyo is big.']);
  });
  it('digits follow their context', () => {
    expect(seg('我有3个apple')).toEqual(['zh:我有3个', 'en:apple']);
    expect(seg('I have 3 apples')).toEqual(['en:I have 3 apples']);
    expect(seg('2024年')).toEqual(['zh:2024年']);
    expect(seg('12345')).toEqual(['zh:12345']);
    expect(seg('价格是3.5元')).toEqual(['zh:价格是3.5元']);
  });
  it('modes: zh / ja force the non-English language, en takes everything', () => {
    expect(seg('東京は大きい, OK', 'zh')).toEqual(['zh:東京は大きい, ', 'en:OK']);
    expect(seg('今天很好', 'ja')).toEqual(['ja:今天很好']);
    expect(seg('你好 hello', 'en')).toEqual(['en:你好 hello']);
  });
  it('drops unsupported scripts with a warning', () => {
    const w: string[] = [];
    expect(segmentByLanguage('你好😀안녕Привет', 'auto', w).map((s) => s.text)).toEqual(['你好']);
    expect(w.length).toBe(1);
  });
});

describe('cut methods (upstream text_segmentation_method)', () => {
  const four = '一，二。三？四！五，六。七？八！九。';
  it('cut0 keeps the text whole', () => expect(applyCut('你好，世界。', 'cut0')).toEqual(['你好，世界。']));
  it('cut1 groups four clauses; the last group runs to the end', () => {
    expect(applyCut(four, 'cut1')).toEqual(['一，二。三？四！', '五，六。七？八！九。']);
    expect(applyCut('一，二。三？四！五，六。七？八！', 'cut1')).toEqual(['一，二。三？四！五，六。七？八！']);
    expect(applyCut('一，二。', 'cut1')).toEqual(['一，二。']);
  });
  it('cut2 groups clauses past 50 characters', () => {
    const clause = '这是一个比较长的句子用来测试切分，';
    expect(applyCut(clause.repeat(4), 'cut2')).toEqual([clause.repeat(4)]);
  });
  it('cut3 splits on 。, cut4 on . not between digits', () => {
    expect(applyCut('你好。世界。', 'cut3')).toEqual(['你好', '世界']);
    expect(applyCut('Hello. World.', 'cut4')).toEqual(['Hello', ' World']);
    // A period right after a digit does not split (upstream's look-behind).
    expect(applyCut('Pi is 3.14. Next one.', 'cut4')).toEqual(['Pi is 3.14. Next one']);
  });
  it('cut5 splits after every mark but keeps 3.14 together, drops mark-only pieces', () => {
    expect(applyCut('你好，世界。圆周率是3.14！？', 'cut5')).toEqual(['你好，', '世界。', '圆周率是3.14！']);
  });
  it('merges short fragments and splits big ones', () => {
    expect(mergeShortTexts(['a', 'bc', 'defgh', 'i'], 5)).toEqual(['abcdefghi']);
    expect(mergeShortTexts(['abcde', 'fghij', 'k'], 5)).toEqual(['abcde', 'fghijk']);
    expect(splitBigText('一二三，四五六。七八九。', 4)).toEqual(['一二三，', '四五六。', '七八九。']);
    expect(splitBigText('一二三四五六七八九十', 4)).toEqual(['一二三四', '五六七八', '九十']);
  });
  it('splitText: short first clause gets a leading mark, fragments end with a mark, maxLen holds', () => {
    // The prepended 。 becomes a mark-only piece that cut5 drops; 3-character pieces merge with the next.
    expect(splitText('你好，我是小明。你好，我是小红。你好，我是小刚。你好，我是小张。', 'cut5')).toEqual([
      '你好，我是小明。', '你好，我是小红。', '你好，我是小刚。', '你好，我是小张。',
    ]);
    expect(splitText('你好，我是小明。你好，我是小红。', 'cut0')).toEqual(['。你好，我是小明。你好，我是小红。']);
    expect(splitText('Hello world', 'cut0', 510, 'en')).toEqual(['Hello world.']);
    expect(splitText('', 'cut1')).toEqual([]);
    const long = '这是一段很长的文字，'.repeat(200);
    for (const frag of splitText(long, 'cut0', 100)) expect([...frag].length).toBeLessThanOrEqual(100);
    expect(() => splitText('x', 'cut9' as never)).toThrowError(MynahError);
    expect(() => splitText('x', 'cut1', 0)).toThrowError(MynahError);
  });
  it('splits 50k characters quickly', () => {
    const huge = '今天天气很好，我们去公园散步。'.repeat(3400);
    const frags = splitText(huge, 'cut1', 510);
    expect(frags.length).toBeGreaterThan(100);
    expect(frags.join('').replace(/^。/, '')).toBe(huge);
  });
});
