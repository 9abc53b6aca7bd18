"""Coded values of the member roster (as used on forms, templates and import dropdowns)."""

from django.db import models


class Gender(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


ETHNICITIES = ["汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族", "满族", "侗族", "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族", "佤族", "畲族", "高山族", "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族", "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族", "阿昌族", "普米族", "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族", "保安族", "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族", "基诺族"]
Ethnicity = models.TextChoices("Ethnicity", [(e, e) for e in ETHNICITIES] + [("其他", "其他")])


class Education(models.TextChoices):
    PRIMARY = "primary", "小学及以下"
    JUNIOR = "junior", "初中"
    SENIOR = "senior", "高中/中专/技校"
    COLLEGE = "college", "大专"
    BACHELOR = "bachelor", "本科"
    MASTER = "master", "硕士研究生"
    DOCTOR = "doctor", "博士研究生"


class Political(models.TextChoices):
    CPC = "cpc", "中共党员"
    PROBATIONARY = "probationary", "中共预备党员"
    LEAGUE = "league", "共青团员"
    DEMOCRATIC = "democratic", "民主党派"
    MASSES = "masses", "群众"


class Hukou(models.TextChoices):
    URBAN = "urban", "城镇户籍"
    RURAL = "rural", "农村户籍"


class NewForm(models.TextChoices):
    """新就业形态劳动者 (the 'eight groups' and others)."""

    NONE = "", "否"
    TRUCK = "truck", "货车司机"
    COURIER = "courier", "快递员"
    DELIVERY = "delivery", "外卖送餐员"
    RIDE_HAILING = "ride_hailing", "网约车司机"
    ERRAND = "errand", "网约配送员"
    SECURITY = "security", "保安员"
    HOUSEKEEPING = "housekeeping", "家政服务员"
    CARE = "care", "护工护理员"
    OTHER = "other", "其他新就业形态"


class Employment(models.TextChoices):
    EMPLOYED = "employed", "在岗"
    FLEXIBLE = "flexible", "灵活就业"
    LAID_OFF = "laid_off", "下岗"
    UNEMPLOYED = "unemployed", "失业"
    RETIRED = "retired", "退休"


class Status(models.TextChoices):
    ACTIVE = "active", "正常"
    RESERVED = "reserved", "保留会籍"
    RETIRED = "retired", "退休"
    WITHDRAWN = "withdrawn", "已退会"
    DECEASED = "deceased", "已去世"


# Members counted in the roster and in 入会率: in good standing at their union.
GOOD_STANDING = (Status.ACTIVE, Status.RESERVED)


class EventKind(models.TextChoices):
    JOIN = "join", "入会"
    TRANSFER_IN = "transfer_in", "转入"
    TRANSFER_OUT = "transfer_out", "转出"
    WITHDRAW = "withdraw", "退会"
    RETIRE = "retire", "退休"
    RESERVE = "reserve", "保留会籍"
    DEATH = "death", "去世"
    RESTORE = "restore", "恢复会籍"


# Which status change each event makes, and from which statuses it is allowed.
EVENT_RULES: dict[str, tuple[tuple[str, ...], str]] = {
    EventKind.WITHDRAW: ((Status.ACTIVE, Status.RESERVED, Status.RETIRED), Status.WITHDRAWN),
    EventKind.RETIRE: ((Status.ACTIVE, Status.RESERVED), Status.RETIRED),
    EventKind.RESERVE: ((Status.ACTIVE,), Status.RESERVED),
    EventKind.DEATH: ((Status.ACTIVE, Status.RESERVED, Status.RETIRED), Status.DECEASED),
    EventKind.RESTORE: ((Status.RESERVED, Status.WITHDRAWN, Status.RETIRED), Status.ACTIVE),
}


class TransferState(models.TextChoices):
    PENDING = "pending", "待接收"
    CONFIRMED = "confirmed", "已接收"
    REJECTED = "rejected", "已拒绝"
    CANCELLED = "cancelled", "已撤回"


class RequestState(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已同意"
    REJECTED = "rejected", "已驳回"
