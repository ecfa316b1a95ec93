# ruff: noqa: RUF001, RUF003, E501  (a data file: Cyrillic and Greek letters are meant; one pool a line)
"""Name pools for the demo exchange, by naming culture, with the Latin spellings a passport would carry.

Cyrillic names are transliterated with the ICAO Doc 9303 table (Russian passports since 2014); a second,
BGN/PCGN spelling is kept as an alias when it differs, as happens in real KYC files (``Юлия`` → ``Iuliia``
on the passport, ``Yuliya`` on the bank card). Arabic, Persian and Chinese pools carry their customary
Latin forms. The planted persons are real, publicly listed people (OFAC SDN), so that screening has true
name matches to find; their spelling variants are the ones seen in the lists and the press.
"""

from __future__ import annotations

from dataclasses import dataclass

ICAO = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюяієїґ",
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "zh",
            "z",
            "i",
            "i",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "ie",
            "y",
            "_",
            "e",
            "iu",
            "ia",
            "i",
            "ie",
            "i",
            "g",
        ],
        strict=True,
    )
)
ICAO["ь"] = ""
BGN = ICAO | {"й": "y", "ю": "yu", "я": "ya", "ъ": "", "ё": "yo", "і": "i", "є": "ye", "ї": "yi"}
# Ukrainian passports (Cabinet of Ministers resolution 55 of 2010): г is h, и is y.
UKR = ICAO | {"г": "h", "и": "y", "і": "i", "ї": "i", "є": "ie"}


def transliterate(text: str, table: dict[str, str] = ICAO) -> str:
    out = []
    for ch in text:
        low = ch.lower()
        if low in table:
            lat = table[low]
            out.append(lat.capitalize() if ch != low else lat)
        else:
            out.append(ch)
    return "".join(out)


@dataclass(frozen=True, slots=True)
class Culture:
    """A naming culture: native script, given names (male, female), family names, and how names are built."""

    script: str  # ISO 15924 of the native form
    male: tuple[tuple[str, str], ...]  # (native, Latin)
    female: tuple[tuple[str, str], ...]
    family: tuple[tuple[str, str], ...]
    family_first: bool = False  # Chinese order
    slavic_feminine: bool = False  # Иванов → Иванова


def _cyr(*names: str, table: dict[str, str] = ICAO) -> tuple[tuple[str, str], ...]:
    return tuple((n, transliterate(n, table)) for n in names)


def _lat(*names: str) -> tuple[tuple[str, str], ...]:
    return tuple((n, n) for n in names)


# fmt: off
CULTURES: dict[str, Culture] = {
    "ru": Culture(
        "Cyrl",
        _cyr("Александр", "Дмитрий", "Сергей", "Андрей", "Алексей", "Максим", "Иван", "Михаил", "Глеб", "Юрий"),
        _cyr("Анна", "Екатерина", "Мария", "Ольга", "Татьяна", "Юлия", "Наталья", "Ксения", "Дарья", "Елена"),
        _cyr("Иванов", "Смирнов", "Кузнецов", "Попов", "Соколов", "Лебедев", "Козлов", "Новиков", "Морозов",
             "Волков", "Костарев", "Соловьёв", "Васильев", "Зайцев", "Павлов", "Семёнов", "Голубев", "Виноградов"),
        slavic_feminine=True,
    ),
    "uk": Culture(
        "Cyrl",
        _cyr("Олександр", "Андрій", "Дмитро", "Сергій", "Василь", "Тарас", "Богдан", "Юрій", "Олег", "Микола", table=UKR),
        _cyr("Олена", "Оксана", "Наталія", "Ірина", "Юлія", "Марія", "Тетяна", "Ганна", "Світлана", "Вікторія", table=UKR),
        _cyr("Шевченко", "Бойко", "Коваленко", "Бондаренко", "Ткаченко", "Кравченко", "Олійник", "Мельник",
             "Лисенко", "Руденко", "Савченко", "Поліщук", table=UKR),
    ),
    "by": Culture(
        "Cyrl",
        _cyr("Александр", "Виктор", "Павел", "Денис", "Артём", "Владимир", "Николай", "Игорь"),
        _cyr("Светлана", "Ирина", "Алеся", "Вероника", "Людмила", "Яна", "Кристина", "Анастасия"),
        _cyr("Ковалёв", "Новик", "Жук", "Климович", "Мельников", "Козловский", "Лукашевич", "Бондарев"),
        slavic_feminine=True,
    ),
    "kz": Culture(
        "Cyrl",
        _cyr("Нурлан", "Ержан", "Асхат", "Бауыржан", "Даурен", "Тимур", "Рустам", "Алмас", "Санжар", "Азамат"),
        _cyr("Айгерим", "Динара", "Гульнара", "Асель", "Жанар", "Камила", "Мадина", "Зарина", "Дилноза"),
        _cyr("Абдуллаев", "Садыков", "Ахметов", "Каримов", "Юсупов", "Рахимов", "Назарбеков", "Исмаилов",
             "Турсунов", "Алиев", "Омаров", "Жумабаев"),
        slavic_feminine=True,
    ),
    "ar": Culture(
        "Arab",
        (("محمد", "Mohammed"), ("أحمد", "Ahmed"), ("خالد", "Khalid"), ("عبدالله", "Abdullah"),
         ("سعيد", "Saeed"), ("راشد", "Rashid"), ("حمد", "Hamad"), ("سلطان", "Sultan"), ("يوسف", "Yousef")),
        (("فاطمة", "Fatima"), ("مريم", "Maryam"), ("عائشة", "Aisha"), ("نورة", "Noura"), ("سارة", "Sara"),
         ("هند", "Hind"), ("ليلى", "Layla"), ("شيخة", "Sheikha")),
        (("المنصوري", "Al Mansouri"), ("الهاشمي", "Al Hashimi"), ("الشامسي", "Al Shamsi"),
         ("القاسمي", "Al Qasimi"), ("العتيبي", "Al Otaibi"), ("الدوسري", "Al Dosari"), ("الكعبي", "Al Kaabi"),
         ("الزعابي", "Al Zaabi"), ("الحمادي", "Al Hammadi")),
    ),
    "fa": Culture(
        "Arab",
        (("علی", "Ali"), ("رضا", "Reza"), ("حسین", "Hossein"), ("مهدی", "Mehdi"), ("امیر", "Amir"),
         ("محمدرضا", "Mohammadreza"), ("سعید", "Saeed"), ("بهرام", "Bahram")),
        (("زهرا", "Zahra"), ("مریم", "Maryam"), ("نرگس", "Narges"), ("شیرین", "Shirin"), ("لیلا", "Leila"),
         ("پریسا", "Parisa"), ("نسرین", "Nasrin")),
        (("احمدی", "Ahmadi"), ("حسینی", "Hosseini"), ("رضایی", "Rezaei"), ("محمدی", "Mohammadi"),
         ("کریمی", "Karimi"), ("موسوی", "Mousavi"), ("جعفری", "Jafari"), ("صادقی", "Sadeghi"), ("تهرانی", "Tehrani")),
    ),
    "zh": Culture(
        "Hani",
        (("伟", "Wei"), ("强", "Qiang"), ("磊", "Lei"), ("军", "Jun"), ("洋", "Yang"), ("勇", "Yong"),
         ("杰", "Jie"), ("涛", "Tao"), ("明", "Ming"), ("浩然", "Haoran")),
        (("芳", "Fang"), ("娜", "Na"), ("敏", "Min"), ("静", "Jing"), ("丽", "Li"), ("秀英", "Xiuying"),
         ("婷", "Ting"), ("雪", "Xue"), ("欣怡", "Xinyi")),
        (("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"), ("杨", "Yang"),
         ("黄", "Huang"), ("赵", "Zhao"), ("周", "Zhou"), ("吴", "Wu"), ("徐", "Xu"), ("孙", "Sun")),
        family_first=True,
    ),
    "tr": Culture(
        "Latn",
        _lat("Mehmet", "Mustafa", "Ahmet", "Ali", "Hüseyin", "Emre", "Murat", "Burak", "Can", "Oğuz"),
        _lat("Ayşe", "Fatma", "Emine", "Zeynep", "Elif", "Merve", "Selin", "Büşra", "Derya"),
        _lat("Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Öztürk", "Aydın", "Arslan", "Doğan"),
    ),
    "de": Culture(
        "Latn",
        _lat("Lukas", "Jonas", "Maximilian", "Felix", "Thomas", "Michael", "Stefan", "Andreas", "Jürgen"),
        _lat("Anna", "Lea", "Sophie", "Julia", "Katharina", "Sabine", "Petra", "Jana", "Lena"),
        _lat("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Hoffmann",
             "Schäfer", "Koch", "Bauer", "Huber", "Gruber"),
    ),
    "fr": Culture(
        "Latn",
        _lat("Jean", "Pierre", "Louis", "Hugo", "Antoine", "Nicolas", "Julien", "Mathieu", "François"),
        _lat("Marie", "Camille", "Chloé", "Léa", "Manon", "Isabelle", "Sophie", "Émilie", "Claire"),
        _lat("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Lefèvre",
             "Moreau", "Laurent", "Janssens", "Peeters"),
    ),
    "it": Culture(
        "Latn",
        _lat("Marco", "Luca", "Giuseppe", "Francesco", "Alessandro", "Matteo", "Andrea", "Giovanni"),
        _lat("Giulia", "Francesca", "Chiara", "Sara", "Martina", "Alessia", "Valentina", "Elena"),
        _lat("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco"),
    ),
    "es": Culture(
        "Latn",
        _lat("José", "Antonio", "Manuel", "Javier", "David", "Daniel", "Carlos", "João", "Miguel", "Pedro"),
        _lat("María", "Carmen", "Lucía", "Ana", "Laura", "Marta", "Beatriz", "Inês", "Sofia"),
        _lat("García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez",
             "Silva", "Santos", "Ferreira", "Costa"),
    ),
    "pl": Culture(
        "Latn",
        _lat("Piotr", "Krzysztof", "Tomasz", "Paweł", "Jan", "Jakub", "Mateusz", "Jiří", "Tomáš", "Mārtiņš",
             "Tomas", "Andrus"),
        _lat("Anna", "Katarzyna", "Małgorzata", "Agnieszka", "Barbara", "Eva", "Lucie", "Ilze", "Rūta", "Kadri"),
        _lat("Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kamiński", "Novák", "Svoboda", "Bērziņš",
             "Kazlauskas", "Tamm", "Saar", "Ozoliņš"),
    ),
    "en": Culture(
        "Latn",
        _lat("James", "John", "Robert", "Michael", "William", "David", "Oliver", "Jack", "Harry", "Liam", "Erik"),
        _lat("Mary", "Patricia", "Jennifer", "Linda", "Emily", "Olivia", "Amelia", "Sarah", "Ingrid", "Aoife"),
        _lat("Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Taylor", "Wilson", "Murphy",
             "Walsh", "Hansen", "Johansson", "Virtanen", "Nielsen", "Berg"),
    ),
    "gr": Culture(
        "Grek",
        (("Γιώργος", "Georgios"), ("Νίκος", "Nikolaos"), ("Κώστας", "Konstantinos"), ("Δημήτρης", "Dimitrios"),
         ("Ανδρέας", "Andreas"), ("Χρίστος", "Christos")),
        (("Μαρία", "Maria"), ("Ελένη", "Eleni"), ("Αικατερίνη", "Aikaterini"), ("Σοφία", "Sofia"),
         ("Γεωργία", "Georgia")),
        (("Παπαδόπουλος", "Papadopoulos"), ("Οικονόμου", "Oikonomou"), ("Γεωργίου", "Georgiou"),
         ("Ιωάννου", "Ioannou"), ("Κωνσταντίνου", "Konstantinou"), ("Χριστοδούλου", "Christodoulou")),
    ),
    "ka": Culture(
        "Latn",
        _lat("Giorgi", "Davit", "Levan", "Aram", "Tigran", "Armen", "Irakli"),
        _lat("Nino", "Mariam", "Tamar", "Anahit", "Lilit", "Ani"),
        _lat("Beridze", "Kapanadze", "Gelashvili", "Harutyunyan", "Sargsyan", "Grigoryan", "Hovhannisyan"),
    ),
}

# Which culture names the nationals of a country.
CULTURE_OF = {
    "RU": "ru", "BY": "by", "UA": "uk", "KZ": "kz", "UZ": "kz", "KG": "kz", "TJ": "kz",
    "AE": "ar", "SA": "ar", "QA": "ar", "IR": "fa", "CN": "zh", "TR": "tr",
    "DE": "de", "AT": "de", "CH": "de", "LI": "de", "FR": "fr", "BE": "fr", "IT": "it", "ES": "es", "PT": "es",
    "PL": "pl", "CZ": "pl", "LV": "pl", "LT": "pl", "EE": "pl", "GR": "gr", "CY": "gr",
    "GB": "en", "US": "en", "IE": "en", "NL": "en", "SE": "en", "FI": "en", "NO": "en", "IS": "en", "DK": "en",
    "GE": "ka", "AM": "ka",
}

# fmt: on


@dataclass(frozen=True, slots=True)
class ListedPerson:
    """A publicly listed person (OFAC SDN) to plant look-alike customers for."""

    latin: str  # as the list writes it, given names first
    native: str
    birth_date: str
    variants: tuple[str, ...]  # other Latin spellings seen in lists and the press


# fmt: off
LISTED_PERSONS: tuple[ListedPerson, ...] = (
    ListedPerson(
        "Arkady Romanovich Rotenberg", "Аркадий Романович Ротенберг", "1951-12-15",
        ("Arkadiy Rotenberg", "Arkadii Rotenberg", "Arkadi Rotenberg"),
    ),
    ListedPerson(
        "Alisher Burhanovich Usmanov", "Алишер Бурханович Усманов", "1953-09-09",
        ("Alisher Usmanov", "Alisher Usmanow", "Alicher Ousmanov"),
    ),
    ListedPerson(
        "Gennady Nikolayevich Timchenko", "Геннадий Николаевич Тимченко", "1952-11-09",
        ("Gennadiy Timchenko", "Guennadi Timtchenko", "Gennadii Timchenko"),
    ),
    ListedPerson(
        "Oleg Vladimirovich Deripaska", "Олег Владимирович Дерипаска", "1968-01-02",
        ("Oleg Deripaska", "Oleg V. Deripaska", "Oleg Deripaska Vladimirovich"),
    ),
    ListedPerson(
        "Viktor Feliksovich Vekselberg", "Виктор Феликсович Вексельберг", "1957-04-14",
        ("Victor Vekselberg", "Viktor Wekselberg", "Viktor Vekselberg"),
    ),
    ListedPerson(
        "Igor Ivanovich Sechin", "Игорь Иванович Сечин", "1960-09-07",
        ("Igor Setchine", "Igor Setchin", "Igor Sechin"),
    ),
)
# fmt: on
