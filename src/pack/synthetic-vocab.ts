// A stand-in BERT vocabulary for packs with random weights (the real vocab.txt only comes with the
// user's chinese-roberta-wwm-ext-large files). It has the real model's layout where that is known
// ([PAD] 0, [unused1..99], [UNK] 100, [CLS] 101, [SEP] 102, [MASK] 103), then ASCII, the marks
// Chinese normalization keeps and common full-width ones, common Hanzi, and the rest of the
// ideographs U+4E00–U+9FA5 (the set normalized Chinese text is made of) in code point order. At the
// real size (21,128) every such ideograph has an id; a smaller vocabulary keeps the common ones,
// so rarer characters read as [UNK]. Ids past what is generated are placeholders.

/** Size of the tiny test pack's vocabulary (its RoBERTa graph has rows for 21,128 ids). */
export const TINY_VOCAB_ENTRIES = 2048;

// Frequent characters of modern Chinese (hand-picked, roughly by frequency), so a small vocabulary
// still covers everyday sentences and the tests' texts.
const COMMON_HANZI =
  '的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未持音乐该讲语欢迎使用合成你好世界银行吧问题天气今天明天昨天朋友谢谢再见早晚饭菜茶咖啡音乐电影游戏网络手机电脑声音模型训练测试中文英文日语汉字拼音';

function pushUnique(out: string[], seen: Set<string>, token: string, limit: number): void {
  if (out.length < limit && !seen.has(token)) {
    seen.add(token);
    out.push(token);
  }
}

/** `entries` tokens in id order (at least the 104 specials). Deterministic. */
export function syntheticBertVocab(entries: number): string[] {
  if (!Number.isInteger(entries) || entries < 200) throw new Error(`a BERT vocabulary needs at least 200 entries, got ${entries}`);
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (t: string) => pushUnique(out, seen, t, entries);
  add('[PAD]');
  for (let i = 1; i <= 99; i++) add(`[unused${i}]`);
  for (const t of ['[UNK]', '[CLS]', '[SEP]', '[MASK]']) add(t);
  for (let cp = 33; cp <= 126; cp++) add(String.fromCharCode(cp));
  for (const ch of '…—–·，。！？；：、“”‘’（）《》【】～') add(ch);
  for (const ch of COMMON_HANZI) add(ch);
  for (let cp = 0x4e00; cp <= 0x9fa5; cp++) add(String.fromCharCode(cp));
  for (let i = out.length; i < entries; i++) add(`[placeholder${i}]`);
  return out;
}
