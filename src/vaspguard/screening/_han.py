"""Korean and Japanese readings of Han characters, so names in Hanja or kanji can meet their Latin forms.

Transliteration reads Han characters as Mandarin pinyin only, so 金正恩 never meets "Kim Jong Un" (the
Korean reading is 김정은) and 田中花子 never meets "Tanaka Hanako" (Japanese kun readings). This module
supplies the other two readings; the caller romanises the Hangul and folds the romaji spellings.

Data: ``han_readings.tsv`` beside this module, distilled by ``scripts/build-han-readings`` from the Unihan
database (Unicode 15.0.0, ``Unihan_Readings.txt``: fields kHangul, kJapaneseKun, kJapaneseOn) and
redistributed under the Unicode License v3, whose notice heads the file. Columns: character, Hangul
readings, kun readings, on readings, each in Unihan's order. The table is read once, on first use.

What Unihan's order means, and what it does to names:

- kHangul readings are listed in Hangul code-point order, not by frequency; ``korean_reading`` takes the
  first. That is the usual reading for most characters, but not for family names that differ from the
  character's ordinary reading: 金 lists 금 before 김, and characters under the South Korean initial-sound
  law (두음법칙) list the unreduced form first when it sorts first: 李 리 (not 이), 林 림 (임). So
  ``korean_readings``, which the screener uses, reads the family name from ``_KOREAN_FAMILY_NAMES``
  (South Korean form first, the North Korean one too where it differs: 李 이 and 리) and the rest by
  ``korean_reading``.
- kJapaneseKun and kJapaneseOn are in Unihan's editorial order, which puts a common reading first: 田 ta,
  中 naka, 花 hana, 子 ko. Names use readings no character table predicts (nanori), so
  ``japanese_name_reading`` looks up the commonest family names whole (山田 yamada) and reads the given
  name from a table of given names or of name readings per character; ``japanese_readings`` gives the
  characters' kun and on readings as a fallback candidate. Spellings are Unihan's Hepburn, lower-cased,
  long vowels as written (中 chuu, 東 tou): folding them is the caller's business.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import NamedTuple

_TABLE = "han_readings.tsv"
_ITERATION_MARK = "\u3005"
_HAN_RANGES = (
    (0x3005, 0x3005),
    (0x3007, 0x3007),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x2A6DF),
    (0x2A700, 0x2EE5F),
    (0x2F800, 0x2FA1F),
    (0x30000, 0x323AF),
)


class HanReadings(NamedTuple):
    """One character's readings, each tuple in Unihan's order (possibly empty)."""

    hangul: tuple[str, ...]
    kun: tuple[str, ...]
    on: tuple[str, ...]


@cache
def _readings() -> dict[str, HanReadings]:
    text = files("vaspguard.screening").joinpath(_TABLE).read_text(encoding="utf-8")
    table: dict[str, HanReadings] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            character, hangul, kun, on = line.split("\t")
            table[character] = HanReadings(tuple(hangul.split()), tuple(kun.split()), tuple(on.split()))
    return table


def _is_han(character: str) -> bool:
    """Han script ideographs, with the iteration mark 々 (repeat the previous one) and ideographic zero."""
    code_point = ord(character)
    return any(low <= code_point <= high for low, high in _HAN_RANGES)


def has_han(text: str) -> bool:
    """Whether `text` holds any Han character, i.e. whether the Han readings are worth asking for."""
    return any(_is_han(character) for character in text)


def korean_reading(text: str) -> str | None:
    """`text` with each Hanja replaced by its first Korean (Hangul) reading; other characters kept.

    None when no character of `text` has a Korean reading, so callers add a form only when there is one.
    """
    readings = _readings()
    read = False
    parts: list[str] = []
    for character in text:
        entry = readings.get(character)
        if entry is not None and entry.hangul:
            parts.append(entry.hangul[0])
            read = True
        else:
            parts.append(character)
    return "".join(parts) if read else None


# Korean family names in Hanja and how they are read as family names: the South Korean form first (under
# the initial-sound law: 李 이, 林 임), then the North Korean one where it differs (李 리, 林 림), as both
# sides' names appear on the lists (LEE Myung-bak, RI Pyong Chol). Unihan's first kHangul reading is the
# character's ordinary reading (金 금), not the family name's (김). The commonest family names, which
# cover most Koreans; two-character family names first.
_KOREAN_FAMILY_NAMES = {
    "南宮": ("남궁",), "皇甫": ("황보",), "諸葛": ("제갈",), "鮮于": ("선우",), "獨孤": ("독고",),
    "金": ("김",), "李": ("이", "리"), "朴": ("박",), "崔": ("최",), "鄭": ("정",), "姜": ("강",),
    "趙": ("조",), "尹": ("윤",), "張": ("장",), "林": ("임", "림"), "韓": ("한",), "吳": ("오",),
    "徐": ("서",), "申": ("신",), "權": ("권",), "黃": ("황",), "安": ("안",), "宋": ("송",),
    "柳": ("유", "류"), "劉": ("유", "류"), "洪": ("홍",), "全": ("전",), "高": ("고",), "文": ("문",),
    "梁": ("양", "량"), "孫": ("손",), "裵": ("배",), "白": ("백",), "許": ("허",), "盧": ("노", "로"),
    "南": ("남",), "沈": ("심",), "河": ("하",), "郭": ("곽",), "成": ("성",), "車": ("차",),
    "丁": ("정",), "具": ("구",), "禹": ("우",), "朱": ("주",), "羅": ("나", "라"), "閔": ("민",),
    "陳": ("진",), "池": ("지",), "嚴": ("엄",), "蔡": ("채",), "元": ("원",), "千": ("천",),
    "方": ("방",), "孔": ("공",), "玄": ("현",), "咸": ("함",), "卞": ("변",), "廉": ("염", "렴"),
    "楊": ("양",), "邊": ("변",), "呂": ("여", "려"), "秋": ("추",), "魯": ("노", "로"), "都": ("도",),
    "蘇": ("소",), "愼": ("신",), "石": ("석",), "宣": ("선",), "薛": ("설",), "馬": ("마",),
    "吉": ("길",), "周": ("주",), "延": ("연",), "表": ("표",), "明": ("명",), "奇": ("기",),
    "潘": ("반",), "王": ("왕",), "琴": ("금",), "玉": ("옥",), "陸": ("육", "륙"), "印": ("인",),
    "孟": ("맹",), "卓": ("탁",), "秦": ("진",), "鞠": ("국",), "魚": ("어",), "殷": ("은",),
    "龍": ("용", "룡"), "慶": ("경",), "奉": ("봉",), "史": ("사",), "夫": ("부",), "太": ("태",),
}  # fmt: skip


def korean_readings(text: str) -> tuple[str, ...]:
    """How a name in Hanja reads in Korean: its family name (the first one or two characters, when they are
    a known Korean family name) read as a family name, South and North Korean forms where they differ,
    the rest by ``korean_reading``. () unless every Han character of ``text`` has a Korean reading.
    金正恩 -> ("김정은",)."""
    text = text.strip()
    rest = korean_reading(text)
    if rest is None or has_han(rest):
        return ()  # a character Korean does not use (simplified 伟, 陈): not a Korean name
    for size in (2, 1):
        family = _KOREAN_FAMILY_NAMES.get(text[:size])
        if family and len(text) > size:
            given = korean_reading(text[size:]) or text[size:]
            return tuple(reading + given for reading in family)
    return (rest,)


# Japanese family names in kanji, as passports write them (Hepburn, long vowels unmarked: 佐藤 Sato, 伊藤
# Ito): the commonest, which cover most Japanese. A name's kanji are read by name readings (nanori) that no
# character table predicts (山田 is Yamada, not the kun readings yama ta), so the family name is looked
# up whole and the given name after it (``_JAPANESE_GIVEN_NAMES``, else ``_NANORI`` per character).
_JAPANESE_FAMILY_TEXT = """
佐藤 sato; 鈴木 suzuki; 高橋 takahashi; 田中 tanaka; 伊藤 ito; 渡辺 watanabe; 渡邊 watanabe; 渡部 watanabe;
山本 yamamoto; 中村 nakamura; 小林 kobayashi; 加藤 kato; 吉田 yoshida; 山田 yamada; 佐々木 sasaki;
山口 yamaguchi; 松本 matsumoto; 井上 inoue; 木村 kimura; 林 hayashi; 斎藤 saito; 斉藤 saito; 齋藤 saito;
清水 shimizu; 山崎 yamazaki; 森 mori; 池田 ikeda; 橋本 hashimoto; 阿部 abe; 安倍 abe; 石川 ishikawa;
山下 yamashita; 中島 nakajima; 石井 ishii; 小川 ogawa; 前田 maeda; 岡田 okada; 長谷川 hasegawa; 藤田 fujita;
後藤 goto; 近藤 kondo; 村上 murakami; 遠藤 endo; 青木 aoki; 坂本 sakamoto; 福田 fukuda; 太田 ota;
西村 nishimura; 藤井 fujii; 金子 kaneko; 岡本 okamoto; 藤原 fujiwara; 中野 nakano; 三浦 miura; 原田 harada;
中川 nakagawa; 松田 matsuda; 竹内 takeuchi; 小野 ono; 田村 tamura; 中山 nakayama; 和田 wada; 石田 ishida;
森田 morita; 上田 ueda; 原 hara; 内田 uchida; 柴田 shibata; 酒井 sakai; 宮崎 miyazaki; 横山 yokoyama;
高木 takagi; 安藤 ando; 宮本 miyamoto; 大野 ono; 小島 kojima; 谷口 taniguchi; 今井 imai; 工藤 kudo;
高田 takada; 増田 masuda; 丸山 maruyama; 杉山 sugiyama; 村田 murata; 大塚 otsuka; 新井 arai; 小山 koyama;
平野 hirano; 藤本 fujimoto; 河野 kono; 上野 ueno; 野口 noguchi; 武田 takeda; 松井 matsui; 千葉 chiba;
岩崎 iwasaki; 菅原 sugawara; 木下 kinoshita; 久保 kubo; 佐野 sano; 野村 nomura; 松尾 matsuo; 菊地 kikuchi;
杉本 sugimoto; 市川 ichikawa; 古川 furukawa; 大西 onishi; 島田 shimada; 水野 mizuno; 桜井 sakurai;
高野 takano; 吉川 yoshikawa; 山内 yamauchi; 西田 nishida; 飯田 iida; 菅野 sugano; 永井 nagai; 服部 hattori;
秋山 akiyama; 中田 nakata; 北村 kitamura; 安田 yasuda; 川口 kawaguchi; 小松 komatsu; 岸田 kishida;
菅 suga; 麻生 aso; 野田 noda; 鳩山 hatoyama; 小泉 koizumi; 福島 fukushima; 宮田 miyata; 松岡 matsuoka;
大久保 okubo; 田辺 tanabe; 本田 honda; 内藤 naito; 吉村 yoshimura; 荒木 araki; 川村 kawamura; 平田 hirata;
岡 oka; 堀 hori; 片山 katayama; 西川 nishikawa; 大橋 ohashi; 松下 matsushita; 星野 hoshino; 浅野 asano;
"""
_JAPANESE_GIVEN_TEXT = """
太郎 taro; 一郎 ichiro; 次郎 jiro; 三郎 saburo; 健一 kenichi; 健 ken; 浩 hiroshi; 博 hiroshi; 誠 makoto;
隆 takashi; 大輔 daisuke; 翔太 shota; 拓也 takuya; 直樹 naoki; 和也 kazuya; 晋三 shinzo; 文雄 fumio;
義偉 yoshihide; 純一郎 junichiro; 花子 hanako; 陽子 yoko; 洋子 yoko; 恵子 keiko; 裕子 yuko; 美穂 miho;
愛 ai; 由美 yumi; 幸子 sachiko; 明美 akemi; 直美 naomi; 真由美 mayumi; 久美子 kumiko; 智子 tomoko;
京子 kyoko; 和子 kazuko; 節子 setsuko; 正 tadashi; 清 kiyoshi; 茂 shigeru; 勇 isamu; 進 susumu;
実 minoru; 修 osamu; 明 akira; 亮 ryo; 翔 sho; 蓮 ren; 大翔 hiroto; 陽翔 haruto; 健太 kenta;
翔平 shohei; 雄一 yuichi; 秀樹 hideki; 英樹 hideki; 正人 masato; 大樹 daiki; 拓海 takumi; 優 yu;
結衣 yui; 美咲 misaki; 彩 aya; 舞 mai; 由紀 yuki; 真理子 mariko; 加奈子 kanako; 奈美 nami; 千尋 chihiro;
一 hajime; 学 manabu; 聡 satoshi; 剛 tsuyoshi; 豊 yutaka; 弘 hiroshi; 勝 masaru; 稔 minoru; 哲也 tetsuya;
達也 tatsuya; 信也 shinya; 俊介 shunsuke; 康弘 yasuhiro; 正義 masayoshi; 孝 takashi; 香織 kaori;
"""
_NANORI_TEXT = """
郎 ro; 太 ta; 一 ichi; 子 ko; 美 mi; 花 hana; 健 ken; 浩 hiro; 雄 o; 夫 o; 男 o; 樹 ki; 也 ya; 介 suke;
輔 suke; 彦 hiko; 朗 ro; 恵 e; 香 ka; 奈 na; 真 ma; 由 yu; 優 yu; 翔 sho; 大 dai; 拓 taku; 直 nao;
和 kazu; 晋 shin; 三 zo; 文 fumi; 義 yoshi; 偉 hide; 裕 hiro; 陽 haru; 博 hiro; 隆 taka; 誠 makoto;
明 aki; 正 masa; 秀 hide; 英 hide; 信 nobu; 幸 yuki; 光 mitsu; 治 haru; 康 yasu; 俊 toshi; 敏 toshi;
清 kiyo; 達 tatsu; 勝 katsu; 茂 shige; 弘 hiro; 昭 aki; 宏 hiro; 智 tomo; 紀 nori; 代 yo; 江 e; 枝 e;
里 ri; 沙 sa; 菜 na; 希 ki; 彩 aya; 結 yu; 衣 i; 愛 ai; 人 to; 斗 to; 平 hei; 吾 go; 之 yuki; 史 fumi;
司 ji; 次 ji; 二 ji; 良 yoshi; 貴 taka; 孝 taka; 亮 ryo; 龍 ryu; 竜 ryu; 剛 go; 哲 tetsu; 徹 toru;
悠 yu; 翼 tsubasa; 蓮 ren; 湊 minato; 颯 so; 陸 riku; 海 umi; 空 sora; 千 chi; 百 momo; 万 ma; 芳 yoshi;
"""


def _pairs(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for entry in text.replace("\n", " ").split(";"):
        if entry.strip():
            kanji, romaji = entry.split()
            out[kanji] = romaji
    return out


_JAPANESE_FAMILY_NAMES = _pairs(_JAPANESE_FAMILY_TEXT)
_JAPANESE_GIVEN_NAMES = _pairs(_JAPANESE_GIVEN_TEXT)
_NANORI = _pairs(_NANORI_TEXT)


def japanese_name_reading(text: str) -> str | None:
    """A Japanese personal name in kanji read as passports write it, family name then given name:
    山田太郎 → "yamada taro", 田中 花子 → "tanaka hanako". None unless it begins with a family name of the
    table and the rest reads by the given-name table or by name readings, character by character."""
    parts = text.split()
    joined = "".join(parts)
    for size in (3, 2, 1):
        family = _JAPANESE_FAMILY_NAMES.get(joined[:size])
        if family is None or (len(parts) > 1 and len(parts[0]) != size):
            continue
        given_text = joined[size:]
        if not given_text:
            return family
        given = _JAPANESE_GIVEN_NAMES.get(given_text)
        if given is None and all(ch in _NANORI for ch in given_text):
            given = "".join(_NANORI[ch] for ch in given_text)
        if given is not None:
            return f"{family} {given}"
    return None


def japanese_readings(text: str) -> tuple[str, ...]:
    """Up to two romaji readings of a name written in kanji only: all-kun first, then all-on.

    Each character contributes its first kun reading (its first on reading when it has no kun) to the
    first form, and its first on reading (else kun) to the second; characters are separated by single
    spaces (田中花子 -> "ta naka hana ko", "den chuu ka shi"). 々 repeats the previous character's reading.
    () unless `text` is Han characters and spaces only, each with a Japanese reading: names with kana are
    read by the transliterator, and a partial reading would match the wrong names.
    """
    entries = _japanese_entries(text)
    if not entries:
        return ()
    kun_form = " ".join(entry.kun[0] if entry.kun else entry.on[0] for entry in entries)
    on_form = " ".join(entry.on[0] if entry.on else entry.kun[0] for entry in entries)
    return tuple(dict.fromkeys((kun_form, on_form)))


def _japanese_entries(text: str) -> list[HanReadings]:
    """The readings of each character of `text`, or [] when one is not a Han character with a Japanese one."""
    readings = _readings()
    entries: list[HanReadings] = []
    for character in text:
        if character.isspace():
            continue
        if character == _ITERATION_MARK and entries:
            entries.append(entries[-1])
            continue
        entry = readings.get(character)
        if entry is None or not (entry.kun or entry.on):
            return []
        entries.append(entry)
    return entries
