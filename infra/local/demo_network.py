"""Deterministic demo network: the 1,470-service catalogue and ~1,300 offices in 31 provinces.

Development only (never shipped to Lambda). Pure functions: the only I/O is reading the
provinces CSV. Every random choice comes from a `random.Random` built from the seed, never the
global generator, so the same seed always yields the same network (the bootstrap calls
`services()` and `offices()` separately and relies on that). Persian text uses the Persian
letters ی and ک only: the catalogue is the reference the search normalises towards.
"""
from __future__ import annotations

import csv
import itertools
import random
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

PROVINCES_CSV = Path(__file__).resolve().parents[2] / "chalicelib" / "data" / "provinces.csv"

SERVICE_COUNT = 1470  # the figure the Judiciary's IT centre announced
OFFICE_TARGET = 1300  # "about 1,300 points" in the network
MIN_OFFICES_PER_PROVINCE = 8
TEHRAN_WEIGHT = 1.3  # the capital attracts more offices than its population alone explains

MODES = ("in_person", "remote_allowed", "remote_only")
WEEKDAYS = ("sat", "sun", "mon", "tue", "wed")

CATEGORIES: dict[str, tuple[str, str]] = {
    "petitions": ("Petitions and pleadings", "ثبت دادخواست و لایحه"),
    "notices": ("Judicial notices", "ابلاغ اوراق قضایی"),
    "sana": ("SANA registration", "ثبت‌نام سامانه ثنا"),
    "certificates": ("Certificates", "گواهی عدم سوءپیشینه و سایر گواهی‌ها"),
    "consulting": ("Legal consulting", "مشاوره حقوقی"),
    "arbitration": ("Arbitration and mediation", "داوری و میانجیگری"),
    "virtual_court": ("Virtual court attendance", "حضور در دادگاه مجازی"),
    "enforcement": ("Enforcement of judgments", "اجرای احکام"),
    "documents": ("Case files and documents", "امور اسناد و پرونده"),
    "complaints": ("Criminal complaints", "شکوائیه"),
    "family": ("Family affairs", "امور خانواده"),
    "appeals": ("Appeals and objections", "تجدیدنظر، واخواهی و اعاده دادرسی"),
    "dispute_councils": ("Dispute resolution councils", "شوراهای حل اختلاف"),
    "payments": ("Judicial payments and deposits", "پرداخت‌ها و سپرده‌های دادگستری"),
    "inquiries": ("Case inquiries and tracking", "استعلام و پیگیری پرونده"),
    "citizens_abroad": ("Services for citizens abroad", "خدمات ایرانیان خارج از کشور"),
}

# Categories that only a subset of offices take on (new competences the association asked for).
OPTIONAL_CATEGORIES: dict[str, float] = {"consulting": 0.55, "arbitration": 0.35, "virtual_court": 0.45,
                                         "citizens_abroad": 0.2}
# Long-standing front-desk services every office offers.
CORE_CATEGORIES = ("petitions", "notices", "sana")

# Provinces named as poorer in the brief; their town offices are mostly flagged deprived.
DEPRIVED_PROVINCES = frozenset({"Sistan and Baluchestan", "Kohgiluyeh and Boyer-Ahmad", "Ilam", "South Khorasan",
                                "North Khorasan", "Hormozgan", "Kerman"})

PROVINCE_CODES: dict[str, str] = {
    "Tehran": "THR", "Razavi Khorasan": "RKH", "Isfahan": "ISF", "Fars": "FAR", "Khuzestan": "KHZ",
    "East Azerbaijan": "EAZ", "Mazandaran": "MZN", "West Azerbaijan": "WAZ", "Kerman": "KRM",
    "Sistan and Baluchestan": "SBL", "Alborz": "ALB", "Gilan": "GIL", "Kermanshah": "KSH", "Golestan": "GLS",
    "Hormozgan": "HRM", "Lorestan": "LRS", "Hamadan": "HMD", "Kurdistan": "KRD", "Markazi": "MRK", "Qom": "QOM",
    "Qazvin": "QZV", "Ardabil": "ARD", "Bushehr": "BSH", "Yazd": "YZD", "Zanjan": "ZNJ",
    "Chaharmahal and Bakhtiari": "CHB", "North Khorasan": "NKH", "South Khorasan": "SKH",
    "Kohgiluyeh and Boyer-Ahmad": "KBA", "Semnan": "SMN", "Ilam": "ILM",
}

# Real towns (other than the capital) per province, (English, Persian).
TOWNS: dict[str, tuple[tuple[str, str], ...]] = {
    "Tehran": (("Shahriar", "شهریار"), ("Eslamshahr", "اسلامشهر"), ("Varamin", "ورامین"), ("Damavand", "دماوند"),
               ("Pakdasht", "پاکدشت")),
    "Razavi Khorasan": (("Neyshabur", "نیشابور"), ("Sabzevar", "سبزوار"), ("Torbat-e Heydarieh", "تربت حیدریه"),
                        ("Quchan", "قوچان"), ("Kashmar", "کاشمر")),
    "Isfahan": (("Kashan", "کاشان"), ("Najafabad", "نجف‌آباد"), ("Khomeyni Shahr", "خمینی‌شهر"),
                ("Shahreza", "شهرضا")),
    "Fars": (("Marvdasht", "مرودشت"), ("Kazerun", "کازرون"), ("Jahrom", "جهرم"), ("Fasa", "فسا"), ("Lar", "لار")),
    "Khuzestan": (("Dezful", "دزفول"), ("Abadan", "آبادان"), ("Khorramshahr", "خرمشهر"), ("Behbahan", "بهبهان"),
                  ("Shushtar", "شوشتر")),
    "East Azerbaijan": (("Maragheh", "مراغه"), ("Marand", "مرند"), ("Ahar", "اهر"), ("Mianeh", "میانه")),
    "Mazandaran": (("Babol", "بابل"), ("Amol", "آمل"), ("Qaem Shahr", "قائم‌شهر"), ("Chalus", "چالوس")),
    "West Azerbaijan": (("Khoy", "خوی"), ("Mahabad", "مهاباد"), ("Miandoab", "میاندوآب"), ("Bukan", "بوکان")),
    "Kerman": (("Sirjan", "سیرجان"), ("Rafsanjan", "رفسنجان"), ("Jiroft", "جیرفت"), ("Bam", "بم")),
    "Sistan and Baluchestan": (("Zabol", "زابل"), ("Chabahar", "چابهار"), ("Iranshahr", "ایرانشهر"),
                               ("Saravan", "سراوان"), ("Khash", "خاش")),
    "Alborz": (("Fardis", "فردیس"), ("Nazarabad", "نظرآباد"), ("Hashtgerd", "هشتگرد")),
    "Gilan": (("Bandar Anzali", "بندر انزلی"), ("Lahijan", "لاهیجان"), ("Langarud", "لنگرود"), ("Astara", "آستارا")),
    "Kermanshah": (("Eslamabad-e Gharb", "اسلام‌آباد غرب"), ("Kangavar", "کنگاور"), ("Sarpol-e Zahab", "سرپل ذهاب")),
    "Golestan": (("Gonbad-e Kavus", "گنبد کاووس"), ("Aliabad-e Katul", "علی‌آباد کتول"),
                 ("Bandar Torkaman", "بندر ترکمن")),
    "Hormozgan": (("Minab", "میناب"), ("Bandar Lengeh", "بندر لنگه"), ("Qeshm", "قشم")),
    "Lorestan": (("Borujerd", "بروجرد"), ("Dorud", "دورود"), ("Aligudarz", "الیگودرز"), ("Kuhdasht", "کوهدشت")),
    "Hamadan": (("Malayer", "ملایر"), ("Nahavand", "نهاوند"), ("Tuyserkan", "تویسرکان")),
    "Kurdistan": (("Saqqez", "سقز"), ("Marivan", "مریوان"), ("Baneh", "بانه"), ("Qorveh", "قروه")),
    "Markazi": (("Saveh", "ساوه"), ("Khomein", "خمین"), ("Mahallat", "محلات")),
    "Qom": (("Jafariyeh", "جعفریه"), ("Kahak", "کهک")),
    "Qazvin": (("Takestan", "تاکستان"), ("Buin Zahra", "بوئین‌زهرا"), ("Abyek", "آبیک")),
    "Ardabil": (("Parsabad", "پارس‌آباد"), ("Meshginshahr", "مشگین‌شهر"), ("Khalkhal", "خلخال")),
    "Bushehr": (("Borazjan", "برازجان"), ("Bandar Genaveh", "بندر گناوه"), ("Kangan", "کنگان")),
    "Yazd": (("Meybod", "میبد"), ("Ardakan", "اردکان"), ("Taft", "تفت")),
    "Zanjan": (("Abhar", "ابهر"), ("Khorramdarreh", "خرمدره"), ("Ab Bar", "آب‌بر")),
    "Chaharmahal and Bakhtiari": (("Borujen", "بروجن"), ("Farsan", "فارسان"), ("Lordegan", "لردگان")),
    "North Khorasan": (("Shirvan", "شیروان"), ("Esfarayen", "اسفراین"), ("Ashkhaneh", "آشخانه")),
    "South Khorasan": (("Qaen", "قائن"), ("Ferdows", "فردوس"), ("Tabas", "طبس"), ("Nehbandan", "نهبندان")),
    "Kohgiluyeh and Boyer-Ahmad": (("Dogonbadan", "دوگنبدان"), ("Dehdasht", "دهدشت"), ("Likak", "لیکک")),
    "Semnan": (("Shahroud", "شاهرود"), ("Garmsar", "گرمسار"), ("Damghan", "دامغان")),
    "Ilam": (("Dehloran", "دهلران"), ("Mehran", "مهران"), ("Abdanan", "آبدانان"), ("Eyvan", "ایوان")),
}

# --- the service catalogue ---------------------------------------------------------------

# Subjects of a claim or case, (English, Persian); templates below put them in a sentence.
CIVIL: tuple[tuple[str, str], ...] = (
    ("debt recovery", "مطالبه وجه"),
    ("cheque debt recovery", "مطالبه وجه چک"),
    ("promissory-note recovery", "مطالبه وجه سفته"),
    ("bill-of-exchange recovery", "مطالبه وجه برات"),
    ("damages", "مطالبه خسارت"),
    ("late-payment damages", "مطالبه خسارت تأخیر تأدیه"),
    ("tenant eviction", "تخلیه عین مستأجره"),
    ("rent arrears", "مطالبه اجاره‌بها"),
    ("formal deed transfer", "الزام به تنظیم سند رسمی"),
    ("contract annulment", "ابطال قرارداد"),
    ("contract rescission", "تأیید فسخ قرارداد"),
    ("delivery of sold property", "الزام به تحویل مبیع"),
    ("partition of joint property", "تقسیم مال مشاع"),
    ("ejectment", "خلع ید"),
    ("interference with rights", "رفع ممانعت از حق"),
    ("property nuisance", "رفع مزاحمت"),
    ("division of an estate", "تقسیم ترکه"),
    ("insurance claim", "مطالبه خسارت از بیمه"),
    ("traffic accident damages", "مطالبه خسارت ناشی از تصادف"),
    ("construction contract", "اختلاف در قرارداد پیمانکاری"),
    ("partnership dissolution", "انحلال شرکت"),
    ("bankruptcy", "اعلام ورشکستگی"),
    ("land registry objection", "اعتراض به عملیات ثبتی"),
    ("bank facility", "اختلاف در تسهیلات بانکی"),
    ("rent deposit refund", "استرداد ودیعه"),
    ("refund of price", "استرداد ثمن"),
    ("building service charges", "مطالبه شارژ ساختمان"),
    ("annulment of a deed", "ابطال سند"),
    ("wage recovery", "مطالبه دستمزد"),
    ("intellectual property", "نقض حقوق مالکیت فکری"),
)

CRIMINAL: tuple[tuple[str, str], ...] = (
    ("fraud", "کلاهبرداری"),
    ("breach of trust", "خیانت در امانت"),
    ("theft", "سرقت"),
    ("intentional assault", "ضرب و جرح عمدی"),
    ("insult", "توهین"),
    ("slander", "افترا"),
    ("threats", "تهدید"),
    ("forgery", "جعل"),
    ("use of a forged document", "استفاده از سند مجعول"),
    ("computer fraud", "کلاهبرداری رایانه‌ای"),
    ("unauthorised data access", "دسترسی غیرمجاز به داده‌ها"),
    ("phone harassment", "مزاحمت تلفنی"),
    ("spreading falsehoods", "نشر اکاذیب"),
    ("forcible occupation", "تصرف عدوانی"),
    ("vandalism", "تخریب اموال"),
    ("selling another's property", "انتقال مال غیر"),
    ("failure to support the family", "ترک انفاق"),
    ("negligent bodily injury", "ایراد صدمه بدنی غیرعمدی"),
    ("medical malpractice", "قصور پزشکی"),
    ("usury", "رباخواری"),
    ("online defamation", "هتک حیثیت در فضای مجازی"),
    ("extortion", "اخاذی"),
    ("transfer of assets to evade debt", "انتقال مال به قصد فرار از دین"),
    ("misuse of a signed blank", "سوءاستفاده از سفید امضا"),
    ("unlawful entry into a home", "ورود غیرمجاز به منزل"),
    ("issuing a bounced cheque", "صدور چک بلامحل"),
)

FAMILY: tuple[tuple[str, str], ...] = (
    ("mahriyeh (dowry)", "مهریه"),
    ("spousal maintenance", "نفقه زوجه"),
    ("child maintenance", "نفقه فرزند"),
    ("consensual divorce", "طلاق توافقی"),
    ("divorce at the wife's request", "طلاق به درخواست زوجه"),
    ("divorce at the husband's request", "طلاق به درخواست زوج"),
    ("child custody", "حضانت فرزند"),
    ("child visitation", "ملاقات فرزند"),
    ("marital obedience (tamkin)", "تمکین"),
    ("return of the trousseau", "استرداد جهیزیه"),
    ("wages for marital housework", "اجرت‌المثل ایام زوجیت"),
    ("marriage permission", "اذن در ازدواج"),
    ("remarriage permission", "اجازه ازدواج مجدد"),
    ("paternity", "اثبات نسب"),
    ("appointment of a guardian", "نصب قیم"),
    ("a child's travel permission", "اذن خروج فرزند از کشور"),
)

COUNCIL: tuple[tuple[str, str], ...] = (
    ("inheritance certificate", "گواهی حصر وراثت"),
    ("sealing of an estate", "مهر و موم ترکه"),
    ("inventory of an estate", "تحریر ترکه"),
    ("small debt recovery", "مطالبه وجه تا سقف صلاحیت شورا"),
    ("cheque debt recovery", "مطالبه وجه چک"),
    ("tenant eviction", "تخلیه عین مستأجره"),
    ("rent arrears", "مطالبه اجاره‌بها"),
    ("neighbour disputes", "اختلافات همسایگی"),
    ("building service charges", "مطالبه شارژ ساختمان"),
    ("traffic accident damages", "خسارت ناشی از تصادف"),
    ("return of movable property", "استرداد اموال منقول"),
    ("rent deposit refund", "استرداد ودیعه"),
    ("wage recovery", "مطالبه دستمزد"),
    ("delivery of movable goods", "الزام به تحویل کالا"),
    ("property nuisance", "رفع مزاحمت"),
    ("interference with rights", "رفع ممانعت از حق"),
    ("confirmation of a will", "تنفیذ وصیت‌نامه عادی"),
)

SANA_HOLDERS: tuple[tuple[str, str], ...] = (
    ("for natural persons", "برای اشخاص حقیقی"),
    ("for legal entities", "برای اشخاص حقوقی"),
    ("for foreign nationals", "برای اتباع خارجی"),
    ("for minors with a guardian", "برای افراد زیر ۱۸ سال با حضور ولی"),
    ("for lawyers", "برای وکلای دادگستری"),
    ("for official court experts", "برای کارشناسان رسمی دادگستری"),
    ("for citizens abroad by proxy", "برای ایرانیان خارج از کشور با وکالت"),
)

NOTICE_DOCS: tuple[tuple[str, str], ...] = (
    ("a summons", "احضاریه"),
    ("a hearing notice", "اخطاریه"),
    ("a court judgment", "دادنامه"),
    ("a court decision", "قرار دادگاه"),
    ("a petition copy", "نسخه دادخواست"),
    ("a pleading copy", "نسخه لایحه"),
    ("an enforcement writ", "اجرائیه"),
    ("an expert opinion", "نظریه کارشناسی"),
    ("an arbitration award", "رأی داور"),
    ("a dispute council ruling", "رأی شورای حل اختلاف"),
)

CERTIFICATES: tuple[tuple[str, str], ...] = (
    ("Criminal-record certificate", "گواهی عدم سوءپیشینه"),
    ("Certificate of no effective conviction", "گواهی عدم محکومیت مؤثر"),
    ("Travel-ban status certificate", "گواهی وضعیت ممنوع‌الخروجی"),
    ("Certificate of no pending case", "گواهی عدم وجود پرونده در جریان"),
    ("Case status certificate", "گواهی وضعیت پرونده"),
    ("Certificate of non-bankruptcy", "گواهی عدم ورشکستگی"),
    ("Certificate of no enforcement case", "گواهی عدم وجود پرونده اجرایی"),
)

CERT_PURPOSES: tuple[tuple[str, str], ...] = (
    ("employment", "جهت استخدام"),
    ("a business licence", "جهت اخذ پروانه کسب"),
    ("an embassy", "جهت ارائه به سفارت"),
    ("university admission", "جهت پذیرش دانشگاه"),
    ("a lawyer's licence", "جهت اخذ پروانه وکالت"),
    ("fostering a child", "جهت سرپرستی کودکان بی‌سرپرست"),
    ("a public tender", "جهت شرکت در مناقصه"),
    ("ride-hailing drivers", "جهت رانندگان تاکسی اینترنتی"),
    ("a notary office", "جهت دفترخانه اسناد رسمی"),
    ("a firearm licence", "جهت اخذ مجوز حمل سلاح"),
)

PAYABLES: tuple[tuple[str, str], ...] = (
    ("court costs", "هزینه دادرسی"),
    ("a fine", "جزای نقدی"),
    ("bail", "وجه‌الکفاله"),
    ("an expert's fee", "دستمزد کارشناس"),
    ("an arbitrator's fee", "حق‌الزحمه داور"),
    ("the enforcement fee", "حق‌الاجرا"),
    ("the publication fee", "هزینه نشر آگهی"),
    ("maintenance", "نفقه"),
    ("a mahriyeh instalment", "قسط مهریه"),
    ("a judgment debt", "محکوم‌به"),
    ("appeal costs", "هزینه تجدیدنظر"),
    ("a translation fee", "هزینه ترجمه"),
    ("diyeh (blood money)", "دیه"),
    ("dispute council costs", "هزینه شورای حل اختلاف"),
    ("a cheque amount", "وجه چک"),
    ("security for possible damages", "خسارت احتمالی"),
)


@dataclass(frozen=True)
class _Action:
    """A sentence with a `{s}` slot for the subject, in both languages; `mode` pins the mode."""
    en: str
    fa: str
    mode: str | None = None


@dataclass(frozen=True)
class _Flagship:
    """The long-standing service that opens its category (lowest id of the category)."""
    en: str
    fa: str
    mode: str
    duration_min: int
    tariff_rials: int


@dataclass(frozen=True)
class _Spec:
    quota: int  # services of the category, flagship included
    flagship: _Flagship
    actions: tuple[_Action, ...]
    subjects: tuple[tuple[str, str], ...]
    mode_weights: tuple[float, float, float]  # in_person, remote_allowed, remote_only
    durations: tuple[int, ...]
    tariff_range: tuple[int, int]  # rials


A = _Action
F = _Flagship
SPECS: dict[str, _Spec] = {
    "petitions": _Spec(200, F("Petition filing", "ثبت دادخواست", "remote_allowed", 30, 1_250_000), (
        A("Filing a petition for {s}", "ثبت دادخواست {s}"),
        A("Filing a pleading in a {s} case", "ثبت لایحه در دعوای {s}"),
        A("Amending a petition for {s}", "اصلاح دادخواست {s}"),
        A("Withdrawing a petition for {s}", "استرداد دادخواست {s}"),
        A("Counterclaim in a {s} case", "ثبت دعوای تقابل در دعوای {s}"),
        A("Interim injunction request in a {s} case", "درخواست دستور موقت در دعوای {s}"),
        A("Request to secure the claim in a {s} case", "درخواست تأمین خواسته در دعوای {s}"),
        A("Request to preserve evidence in a {s} case", "درخواست تأمین دلیل در دعوای {s}"),
    ), CIVIL, (0.2, 0.75, 0.05), (20, 30, 45), (600_000, 3_000_000)),
    "notices": _Spec(60, F("Judicial notice receipt", "دریافت ابلاغیه", "remote_allowed", 15, 350_000), (
        A("Receiving {s}", "دریافت {s}"),
        A("Printing {s}", "چاپ {s}"),
        A("Confirming receipt of {s}", "تأیید رؤیت {s}"),
        A("Paper service of {s} to a party without SANA", "ابلاغ کاغذی {s} به طرف فاقد حساب ثنا", "in_person"),
        A("Requesting re-service of {s}", "درخواست ابلاغ مجدد {s}"),
        A("Requesting service of {s} by publication", "درخواست ابلاغ {s} از طریق نشر آگهی"),
        A("Objection to the service of {s}", "اعتراض به ابلاغ {s}"),
    ), NOTICE_DOCS, (0.5, 0.45, 0.05), (10, 15), (200_000, 600_000)),
    "sana": _Spec(30, F("SANA e-account registration", "ثبت‌نام سامانه ثنا", "in_person", 20, 600_000), (
        A("SANA registration {s}", "ثبت‌نام سامانه ثنا {s}", "in_person"),  # biometric identification
        A("SANA password recovery {s}", "بازیابی رمز ثنا {s}"),
        A("Changing the SANA mobile number {s}", "تغییر شماره همراه ثنا {s}", "in_person"),
        A("Updating SANA details {s}", "ویرایش اطلاعات ثنا {s}"),
        A("Activating the e-notice account {s}", "فعال‌سازی حساب ابلاغ الکترونیک {s}"),
    ), SANA_HOLDERS, (0.8, 0.2, 0.0), (15, 20), (300_000, 900_000)),
    "certificates": _Spec(70, F("Criminal-record certificate", "گواهی عدم سوءپیشینه", "in_person", 20, 900_000), (
        # Fingerprinting makes most certificates in-person.
        A("{s}", "{s}"),
    ), (), (0.75, 0.25, 0.0), (15, 20, 30), (400_000, 1_500_000)),
    "consulting": _Spec(130, F("Legal consulting", "مشاوره حقوقی", "remote_allowed", 30, 2_000_000), (
        A("Legal consulting on {s}", "مشاوره حقوقی در زمینه {s}"),
        A("Phone consulting on {s}", "مشاوره تلفنی در زمینه {s}", "remote_only"),
        A("Online video consulting on {s}", "مشاوره تصویری برخط در زمینه {s}", "remote_only"),
        A("Written legal opinion on {s}", "نظر مشورتی مکتوب در زمینه {s}"),
        A("In-person consulting on {s}", "مشاوره حضوری در زمینه {s}", "in_person"),
    ), CIVIL[:14] + FAMILY[:8] + CRIMINAL[:8], (0.1, 0.4, 0.5), (30, 45, 60), (1_500_000, 8_000_000)),
    "arbitration": _Spec(70, F("Arbitration request", "درخواست داوری", "remote_allowed", 45, 3_000_000), (
        A("Arbitration request on {s}", "درخواست داوری در اختلاف {s}"),
        A("Appointing an arbitrator for {s}", "درخواست تعیین داور در اختلاف {s}"),
        A("Mediation session on {s}", "جلسه میانجیگری در اختلاف {s}"),
        A("Registering an arbitration award on {s}", "ثبت رأی داوری در اختلاف {s}"),
    ), CIVIL[:20], (0.15, 0.5, 0.35), (45, 60, 90), (3_000_000, 15_000_000)),
    "virtual_court": _Spec(60, F("Virtual-court attendance", "حضور در دادگاه مجازی", "remote_allowed", 60,
                                 1_000_000), (
        A("Virtual hearing attendance in a {s} case", "حضور در جلسه رسیدگی مجازی پرونده {s}"),
        A("Video testimony in a {s} case", "ادای شهادت تصویری در پرونده {s}"),
        A("Virtual final defence in a {s} case", "اخذ آخرین دفاع به‌صورت مجازی در پرونده {s}", "in_person"),
        A("Virtual meeting with the judge on a {s} case", "ملاقات مجازی با قاضی در پرونده {s}"),
    ), CIVIL[:10] + FAMILY[:6] + CRIMINAL[:8], (0.15, 0.45, 0.4), (30, 45, 60, 90), (600_000, 2_500_000)),
    "enforcement": _Spec(130, F("Request for an enforcement writ", "درخواست صدور اجرائیه", "remote_allowed", 30,
                                900_000), (
        A("Requesting an enforcement writ for {s}", "درخواست صدور اجرائیه {s}"),
        A("Introducing assets for seizure in a {s} case", "معرفی مال جهت توقیف در پرونده {s}"),
        A("Insolvency claim in a {s} enforcement case", "ثبت دادخواست اعسار در پرونده اجرایی {s}"),
        A("Travel ban on the debtor in a {s} case", "درخواست ممنوع‌الخروجی محکوم‌علیه در پرونده {s}"),
        A("Statement of assets in a {s} case", "ثبت صورت دارایی در پرونده {s}", "in_person"),
        A("Instalment of the judgment debt in a {s} case", "درخواست تقسیط محکوم‌به در پرونده {s}"),
    ), CIVIL, (0.25, 0.7, 0.05), (20, 30, 45), (500_000, 2_500_000)),
    "documents": _Spec(120, F("Case file inspection", "مطالعه پرونده", "in_person", 30, 500_000), (
        A("Inspecting the file of a {s} case", "مطالعه پرونده {s}", "in_person"),
        A("Copy of the file of a {s} case", "دریافت تصویر اوراق پرونده {s}"),
        A("Uploading evidence for a {s} case", "بارگذاری مستندات پرونده {s}"),
        A("Certified copies for a {s} case", "برابر با اصل کردن مدارک پرونده {s}", "in_person"),
        A("Scanning original documents for a {s} case", "اسکن اسناد اصلی پرونده {s}", "in_person"),
    ), CIVIL, (0.25, 0.7, 0.05), (15, 20, 30), (300_000, 1_200_000)),
    "complaints": _Spec(150, F("Filing a criminal complaint", "ثبت شکوائیه", "remote_allowed", 30, 800_000), (
        A("Filing a complaint of {s}", "ثبت شکوائیه با موضوع {s}"),
        A("Supplementing a complaint of {s}", "تکمیل شکوائیه با موضوع {s}"),
        A("Withdrawing a complaint of {s}", "استرداد شکایت با موضوع {s}"),
        A("Objection to non-prosecution in a {s} case", "اعتراض به قرار منع تعقیب در پرونده {s}"),
        A("Further investigation request in a {s} case", "درخواست تحقیقات تکمیلی در پرونده {s}"),
        A("Complainant's consent in a {s} case", "ثبت رضایت شاکی در پرونده {s}", "in_person"),
    ), CRIMINAL, (0.25, 0.7, 0.05), (20, 30, 45), (500_000, 2_000_000)),
    "family": _Spec(120, F("Family court petition", "ثبت دادخواست خانواده", "remote_allowed", 30, 1_000_000), (
        A("Family petition on {s}", "ثبت دادخواست {s}"),
        A("Pleading in a {s} case", "ثبت لایحه در پرونده {s}"),
        A("Family counselling referral on {s}", "ارجاع به مرکز مشاوره خانواده در پرونده {s}", "in_person"),
        A("Enforcement request on {s}", "درخواست اجرای حکم {s}"),
        A("Interim order request on {s}", "درخواست دستور موقت در پرونده {s}"),
        A("Withdrawing a petition on {s}", "استرداد دادخواست {s}"),
        A("Objection to a default judgment on {s}", "واخواهی از رأی غیابی {s}"),
        A("Expert referral in a {s} case", "درخواست ارجاع به کارشناس در پرونده {s}"),
    ), FAMILY, (0.35, 0.6, 0.05), (20, 30, 45, 60), (600_000, 2_500_000)),
    "appeals": _Spec(110, F("Filing an appeal", "ثبت دادخواست تجدیدنظر", "remote_allowed", 30, 1_500_000), (
        A("Appeal in a {s} case", "ثبت دادخواست تجدیدنظر در دعوای {s}"),
        A("Objection to a default judgment in a {s} case", "ثبت واخواهی در دعوای {s}"),
        A("Cassation request in a {s} case", "فرجام‌خواهی در دعوای {s}"),
        A("Retrial request in a {s} case", "درخواست اعاده دادرسی در دعوای {s}"),
        A("Third-party objection in a {s} case", "اعتراض ثالث در دعوای {s}"),
    ), CIVIL, (0.15, 0.8, 0.05), (20, 30, 45), (800_000, 4_000_000)),
    "dispute_councils": _Spec(80, F("Dispute council petition", "ثبت دادخواست شورای حل اختلاف", "remote_allowed", 20,
                                    400_000), (
        A("Council petition on {s}", "ثبت دادخواست شورای حل اختلاف در موضوع {s}"),
        A("Reconciliation session on {s}", "درخواست جلسه سازش در موضوع {s}", "in_person"),
        A("Objection to a council ruling on {s}", "اعتراض به رأی شورا در موضوع {s}"),
        A("Council pleading on {s}", "ثبت لایحه در شورای حل اختلاف در موضوع {s}"),
        A("Enforcing a council ruling on {s}", "درخواست اجرای رأی شورا در موضوع {s}"),
    ), COUNCIL, (0.4, 0.55, 0.05), (15, 20, 30), (200_000, 900_000)),
    "payments": _Spec(50, F("Paying court costs", "پرداخت هزینه دادرسی", "remote_allowed", 10, 200_000), (
        A("Paying {s}", "پرداخت {s}"),
        A("Refund of {s}", "استرداد {s}", "in_person"),
        A("Receipt verification for {s}", "تأیید فیش {s}"),
        A("Instalment plan for {s}", "تقسیط {s}"),
    ), PAYABLES, (0.15, 0.55, 0.3), (10, 15), (200_000, 500_000)),
    "inquiries": _Spec(60, F("Case status inquiry", "استعلام وضعیت پرونده", "remote_only", 10, 200_000), (
        A("Status inquiry on a {s} case", "استعلام وضعیت پرونده {s}"),
        A("Hearing date inquiry on a {s} case", "استعلام وقت رسیدگی پرونده {s}"),
        A("Tracking the ruling in a {s} case", "پیگیری صدور رأی در پرونده {s}"),
    ), CIVIL, (0.05, 0.45, 0.5), (10, 15), (200_000, 400_000)),
    "citizens_abroad": _Spec(30, F("Legal consulting for citizens abroad", "مشاوره حقوقی ایرانیان خارج از کشور",
                                   "remote_only", 45, 3_000_000), (
        A("Consulting for citizens abroad on {s}", "مشاوره حقوقی ایرانیان خارج از کشور در زمینه {s}",
          "remote_only"),
        A("Filing by proxy for a citizen abroad on {s}", "ثبت درخواست وکالتی ایرانیان خارج از کشور در زمینه {s}"),
        A("Verifying a consular power of attorney for {s}", "احراز وکالت‌نامه کنسولی در زمینه {s}"),
    ), FAMILY[:10] + (CIVIL[16], CIVIL[8], CIVIL[12], CIVIL[0]), (0.05, 0.45, 0.5), (30, 45, 60),
        (1_000_000, 6_000_000)),
}
del A, F

# Certificates read "type for purpose"; built here so the spec table stays declarative.
_CERT_SUBJECTS = tuple((f"{t_en} for {p_en}", f"{t_fa} {p_fa}")
                       for (t_en, t_fa), (p_en, p_fa) in itertools.product(CERTIFICATES, CERT_PURPOSES))


def _subjects(code: str) -> tuple[tuple[str, str], ...]:
    return _CERT_SUBJECTS if code == "certificates" else SPECS[code].subjects


_A_BEFORE_VOWEL = re.compile(r"\ba (?=[aeio]|un)")


def _compose_en(template: str, subject: str) -> str:
    """Fill the English template: capitalised, with "an" before a vowel sound."""
    text = _A_BEFORE_VOWEL.sub("an ", template.format(s=subject))
    return text[0].upper() + text[1:]


def _round_rials(rng: random.Random, low: int, high: int) -> int:
    """A tariff in [low, high], rounded to 10,000 rials as tariffs are published."""
    return rng.randrange(low // 10_000, high // 10_000 + 1) * 10_000


def services(seed: int = 1405) -> list[dict[str, Any]]:
    """The national catalogue: exactly 1,470 services, ids S0001..S1470, grouped by category with
    the long-standing flagship first in each."""
    assert sum(spec.quota for spec in SPECS.values()) == SERVICE_COUNT, "category quotas must add up"
    assert set(SPECS) == set(CATEGORIES)
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for code, spec in SPECS.items():
        flag = spec.flagship
        items = [(flag.en, flag.fa, flag.mode, flag.duration_min, flag.tariff_rials)]
        seen.add(flag.en)
        combos = [(action, subject) for action in spec.actions for subject in _subjects(code)
                  if _compose_en(action.en, subject[0]) not in seen]
        # Which composed services exist depends on the seed; keep them in template order for readability.
        picked = sorted(rng.sample(range(len(combos)), spec.quota - 1))
        for index in picked:
            action, (subject_en, subject_fa) = combos[index]
            name_en = _compose_en(action.en, subject_en)
            seen.add(name_en)
            mode = action.mode or rng.choices(MODES, weights=spec.mode_weights)[0]
            items.append((name_en, action.fa.format(s=subject_fa), mode, rng.choice(spec.durations),
                          _round_rials(rng, *spec.tariff_range)))
        for name_en, name_fa, mode, duration, tariff in items:
            out.append({"service_id": f"S{len(out) + 1:04d}", "category": code, "name_en": name_en,
                        "name_fa": name_fa, "mode": mode, "duration_min": duration, "tariff_rials": tariff})
    return out


# --- the offices -------------------------------------------------------------------------

def _read_provinces(path: str | Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["population_2016"] = int(row["population_2016"])
        row["capital_lat"] = float(row["capital_lat"])
        row["capital_lon"] = float(row["capital_lon"])
    return rows


def allocate(populations: dict[str, int], total: int = OFFICE_TARGET, minimum: int = MIN_OFFICES_PER_PROVINCE,
             tehran_weight: float = TEHRAN_WEIGHT) -> dict[str, int]:
    """Offices per province: proportional to population (Tehran weighted up), at least `minimum`
    each, summing to `total` (largest remainder). Provinces that would fall below the minimum are
    pinned to it and the rest re-shared among the others."""
    weights = {p: n * (tehran_weight if p == "Tehran" else 1.0) for p, n in populations.items()}
    pinned: dict[str, int] = {}
    while True:
        free = {p: w for p, w in weights.items() if p not in pinned}
        budget = total - sum(pinned.values())
        scale = budget / sum(free.values())
        low = [p for p, w in free.items() if w * scale < minimum]
        if not low:
            break
        pinned.update(dict.fromkeys(low, minimum))
    quotas = {p: int(w * scale) for p, w in free.items()}
    leftover = budget - sum(quotas.values())
    by_remainder = sorted(free, key=lambda p: (-(free[p] * scale - quotas[p]), p))
    for p in by_remainder[:leftover]:
        quotas[p] += 1
    return {p: pinned.get(p, quotas.get(p, 0)) for p in populations}


def _to_persian_digits(value: int | str) -> str:
    return str(value).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))


def _town_centres(province: dict[str, Any]) -> dict[str, tuple[float, float]]:
    """Where each town sits: 0.3-1.5 degrees from the capital in a direction fixed by the town's
    name, so a town's offices cluster together and do not move between seeds."""
    centres = {}
    for town_en, _ in TOWNS.get(province["province"], ()):
        rng = random.Random(f"town:{province['province']}:{town_en}")
        dlat = rng.uniform(0.3, 1.5) * rng.choice((-1, 1))
        dlon = rng.uniform(0.3, 1.5) * rng.choice((-1, 1))
        centres[town_en] = (province["capital_lat"] + dlat, province["capital_lon"] + dlon)
    return centres


def _hours(rng: random.Random, big_city: bool) -> dict[str, list[list[str]]]:
    morning = ["07:30", "14:30"] if rng.random() < 0.5 else ["08:00", "15:00"]
    # Afternoon shifts are a big-city habit: that is where the queues are.
    afternoon = rng.random() < (0.3 if big_city else 0.1)
    day = [morning] + ([["16:00", "19:00"]] if afternoon else [])
    hours = {key: [list(interval) for interval in day] for key in WEEKDAYS}
    hours["thu"] = [["08:00", "12:00"]] if rng.random() < 0.65 else []
    return hours


def _counters(rng: random.Random, in_capital: bool, population: int) -> int:
    if in_capital and population >= 3_000_000:
        return rng.choices((2, 3, 4, 5, 6), weights=(1, 3, 3, 2, 1))[0]
    if in_capital:
        return rng.choices((1, 2, 3, 4), weights=(1, 3, 3, 1))[0]
    return rng.choices((1, 2, 3), weights=(4, 4, 1))[0]


def _closures(rng: random.Random) -> list[str]:
    """0-2 one-off closure days of this office between November 2026 and January 2027 (not Fridays)."""
    count = rng.choices((0, 1, 2), weights=(70, 20, 10))[0]
    first, last = date(2026, 11, 1), date(2027, 1, 31)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    workdays = [d for d in days if d.weekday() != 4]  # Friday is closed anyway
    return sorted(d.isoformat() for d in rng.sample(workdays, count))


def offices(seed: int = 1405, provinces_csv: str | Path = PROVINCES_CSV) -> list[dict[str, Any]]:
    """About 1,300 offices in the 31 provinces, in province (CSV) order, each with its own
    declarations: hours, counters, offered categories, exceptions and in-person needs."""
    rng = random.Random(seed)
    provinces = _read_provinces(provinces_csv)
    quotas = allocate({row["province"]: row["population_2016"] for row in provinces})
    catalogue = services(seed)
    by_category: dict[str, list[dict[str, Any]]] = {code: [] for code in CATEGORIES}
    for service in catalogue:
        by_category[service["category"]].append(service)
    flagships = {items[0]["service_id"] for items in by_category.values()}

    out: list[dict[str, Any]] = []
    for province in provinces:
        name = province["province"]
        code = PROVINCE_CODES[name]
        towns = TOWNS.get(name, ())
        centres = _town_centres(province)
        # Most offices sit in the capital; the metropolitan provinces even more so.
        capital_share = 0.75 if name in ("Tehran", "Alborz", "Qom") else 0.6
        for number in range(1, quotas[name] + 1):
            national_code = 1000 + len(out) + 1
            in_capital = not towns or rng.random() < capital_share
            if in_capital:
                city, city_fa = province["capital"], province["capital_fa"]
                lat = province["capital_lat"] + rng.uniform(-0.05, 0.05)
                lon = province["capital_lon"] + rng.uniform(-0.05, 0.05)
            else:
                city, city_fa = rng.choice(towns)
                lat = centres[city][0] + rng.uniform(-0.03, 0.03)
                lon = centres[city][1] + rng.uniform(-0.03, 0.03)
            big_city = in_capital and province["population_2016"] >= 3_000_000

            offered = [c for c in CATEGORIES
                       if c in CORE_CATEGORIES
                       or (c in OPTIONAL_CATEGORIES and rng.random() < OPTIONAL_CATEGORIES[c] + (0.15 * big_city))
                       or (c not in OPTIONAL_CATEGORIES and rng.random() < 0.95)]
            offered_services = [s for c in offered for s in by_category[c]]
            # Exceptions never hit a flagship: every office that offers a category offers its best-known service.
            candidates = [s["service_id"] for s in offered_services if s["service_id"] not in flagships]
            not_offered = sorted(rng.sample(candidates, rng.randint(0, 10)))
            remote_allowed = [s["service_id"] for s in offered_services
                              if s["mode"] == "remote_allowed" and s["service_id"] not in not_offered]
            in_person_required = sorted(rng.sample(remote_allowed, min(len(remote_allowed), rng.randint(0, 15))))
            deprived = (not in_capital) and name in DEPRIVED_PROVINCES and rng.random() < 0.7

            out.append({
                "office_id": f"OF-{code}-{number:04d}",
                "name_en": f"EJSO office {national_code} ({city})",
                "name_fa": f"دفتر خدمات الکترونیک قضایی کد {_to_persian_digits(national_code)} ({city_fa})",
                "province": name,
                "province_fa": province["province_fa"],
                "city": city,
                "city_fa": city_fa,
                "lat": round(lat, 5),
                "lon": round(lon, 5),
                "counters": _counters(rng, in_capital, province["population_2016"]),
                "hours": _hours(rng, big_city),
                "offered_categories": offered,
                "not_offered": not_offered,
                "in_person_required": in_person_required,
                "deprived": deprived,
                "closures": _closures(rng),
            })
    return out


def operators(offices_: list[dict[str, Any]], seed: int = 1405) -> list[dict[str, Any]]:
    """The operators registry of the demo (issue 4): one operator per counter, sometimes a spare;
    about 1 in 25 with a licence that has run out (that office loses a bookable counter until
    it is renewed), some short of training hours or uninsured (lower operator compliance).
    Dates are fixed, not relative to today, so the same seed gives the same registry."""
    rng = random.Random(seed * 7 + 4)
    out = []
    for office in offices_:
        for k in range(1, office["counters"] + 1 + (rng.random() < 0.2)):
            expired = rng.random() < 0.04
            expiry = date(2026, 1, 1) + timedelta(days=rng.randint(0, 300)) if expired else \
                date(2027, 6, 1) + timedelta(days=rng.randint(0, 900))
            out.append({"office_id": office["office_id"], "operator_id": f"{office['office_id']}-U{k:02d}",
                        "licence_number": f"LC-{rng.randint(100000, 999999)}", "licence_expiry": expiry.isoformat(),
                        "training_hours": rng.choice((24, 40, 60, 80, 120)) if rng.random() < 0.9 else 16,
                        "insured": rng.random() < 0.92})
    return out


def outcomes(offices_: list[dict[str, Any]], months: list[str], seed: int = 1405) -> list[dict[str, Any]]:
    """Monthly outcome counters of every office (issue 4), as the streams would have folded them,
    so `make job NAME=rank_offices` publishes a ranking worth reading. Each office has a hidden
    quality q ~ N(0, 1) that moves its rates; volume grows with its counters. Counts are drawn
    from normal approximations of the binomials (fast, deterministic for a seed and months)."""
    rng = random.Random(seed * 11 + 5)
    quality = {o["office_id"]: rng.gauss(0, 1) for o in offices_}

    def draw(n: int, p: float) -> int:
        p = min(max(p, 0.0002), 0.9998)
        return min(n, max(0, round(n * p + (n * p * (1 - p)) ** 0.5 * rng.gauss(0, 1))))

    out = []
    for office in offices_:
        q = quality[office["office_id"]]
        for month in months:
            visits = int(office["counters"] * rng.uniform(60, 140))
            remote = int(office["counters"] * rng.uniform(20, 60))
            ratings = draw(remote, 0.2)
            mean = min(4.8, max(1.5, 3.9 + 0.4 * q))
            stars = [min(5, max(1, round(rng.gauss(mean, 0.8)))) for _ in range(ratings)]
            within, returned = draw(remote, 0.85 + 0.05 * q), draw(remote, 0.08 - 0.025 * q)
            counts = {
                "in_person_total": visits, "in_person_on_time": draw(visits, 0.8 + 0.06 * q),
                "remote_total": remote, "remote_within_sla": within, "filed_total": remote, "filed_returned": returned,
                "c|petitions|remote_total": remote, "c|petitions|remote_within_sla": within,
                "c|petitions|filed_total": remote, "c|petitions|filed_returned": returned,
                "ratings_count": ratings, "ratings_sum": sum(stars), "ratings_sumsq": sum(x * x for x in stars),
                "transactions": visits + remote, "complaints_upheld": draw(visits + remote, 0.002 - 0.0008 * q),
                "routed_offered": remote, "routed_accepted": draw(remote, 0.9 + 0.04 * q),
                "no_show": draw(visits, 0.06), "fees_rials": (visits + remote) * 400_000,
            }
            out.append({"office_id": office["office_id"], "period": month, "counts": counts})
    return out


def summary(offices: list[dict[str, Any]], services: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts for progress output: offices per province, services per category and mode."""
    return {
        "offices": len(offices),
        "services": len(services),
        "counters": sum(o["counters"] for o in offices),
        "deprived_offices": sum(1 for o in offices if o["deprived"]),
        "offices_by_province": dict(Counter(o["province"] for o in offices)),
        "services_by_category": dict(Counter(s["category"] for s in services)),
        "services_by_mode": dict(Counter(s["mode"] for s in services)),
    }
