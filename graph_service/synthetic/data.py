"""Built-in word lists of the synthetic world: places, names, industries, causes, authorities.

Data only, no logic. The lists are small on purpose: variety comes from combining them.
Every district code is a real county-level code (GB/T 2260) of the city it is listed under.
"""

from __future__ import annotations

from typing import NamedTuple


class City(NamedTuple):
    """A prefecture-level city (or a municipality) and the districts the world uses."""

    name: str  # with 市, as printed in agency and court names
    province: str  # as used in company names (河北宏达物流有限公司)
    abbr: str  # province abbreviation in case numbers: (2021)冀01执456号
    area_code: str  # telephone area code
    districts: tuple[tuple[str, str], ...]  # (code, name)
    municipality: bool = False  # 直辖市: intermediate courts are 第一中级人民法院 …


# One city a line: name (* = municipality), province word, case-number abbreviation, area
# code, then its districts as code+name. Kept as text so the table stays one screen long.
_CITY_TABLE = """
石家庄市 河北 冀 0311 130102长安区 130104桥西区 130105新华区 130108裕华区 130110鹿泉区 130111栾城区
北京市* 北京 京 010 110101东城区 110102西城区 110105朝阳区 110106丰台区 110108海淀区
上海市* 上海 沪 021 310101黄浦区 310104徐汇区 310105长宁区 310115浦东新区
广州市 广东 粤 020 440103荔湾区 440104越秀区 440106天河区
深圳市 广东 粤 0755 440303罗湖区 440304福田区 440305南山区
杭州市 浙江 浙 0571 330102上城区 330105拱墅区 330106西湖区
南京市 江苏 苏 025 320102玄武区 320104秦淮区 320105建邺区
苏州市 江苏 苏 0512 320505虎丘区 320506吴中区 320508姑苏区
天津市* 天津 津 022 120101和平区 120102河东区 120103河西区 120104南开区
武汉市 湖北 鄂 027 420102江岸区 420103江汉区 420106武昌区
成都市 四川 川 028 510104锦江区 510105青羊区 510107武侯区
西安市 陕西 陕 029 610102新城区 610103碑林区 610104莲湖区
郑州市 河南 豫 0371 410102中原区 410103二七区 410105金水区
济南市 山东 鲁 0531 370102历下区 370103市中区
青岛市 山东 鲁 0532 370202市南区 370203市北区
长沙市 湖南 湘 0731 430102芙蓉区 430103天心区 430104岳麓区
合肥市 安徽 皖 0551 340102瑶海区 340103庐阳区 340104蜀山区
福州市 福建 闽 0591 350102鼓楼区 350103台江区
保定市 河北 冀 0312 130602竞秀区 130606莲池区
太原市 山西 晋 0351 140105小店区 140106迎泽区
沈阳市 辽宁 辽 024 210102和平区 210103沈河区
"""


def _city(line: str) -> City:
    """One line of the city table.

    >>> _city("北京市* 北京 京 010 110101东城区").districts
    (('110101', '东城区'),)
    """
    name, province, abbr, area, *districts = line.split()
    return City(
        name.rstrip("*"),
        province,
        abbr,
        area,
        tuple((d[:6], d[6:]) for d in districts),
        municipality=name.endswith("*"),
    )


CITIES: tuple[City, ...] = tuple(_city(line) for line in _CITY_TABLE.strip().splitlines())

# Surnames roughly in order of frequency; the generator favours the front of the list.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方")
MALE_GIVEN = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宁浩凯健俊帆旭宇晨昊博文建国志海东林峰亮成龙毅"
FEMALE_GIVEN = "芳娜敏静丽艳娟霞秀燕玲婷雪慧莹晶颖琳倩洁红梅兰萍丹欣悦怡佳璐薇琴月云璇茜蕾"

BRAND_HEADS = "华恒瑞永诚宏鑫盛金天博正新中汇联远卓鼎嘉同万国安聚和广泰德润隆信建兴昌富佳东海明"
BRAND_TAILS = "北泰丰兴信达源世桥成远大锐联通创航越盛禾利发和安顺辉宇鸿邦晟坤鹏诚康星业景润华"

# (word in the company name, industry as registered)
INDUSTRIES: tuple[tuple[str, str], ...] = (
    ("建设工程", "建筑业"),
    ("装饰工程", "建筑业"),
    ("商贸", "批发和零售业"),
    ("贸易", "批发和零售业"),
    ("建材", "批发和零售业"),
    ("汽车销售", "批发和零售业"),
    ("食品", "食品制造业"),
    ("医药", "医药制造业"),
    ("医疗器械", "专用设备制造业"),
    ("机械制造", "通用设备制造业"),
    ("化工", "化学原料和化学制品制造业"),
    ("纺织", "纺织业"),
    ("钢铁", "黑色金属冶炼和压延加工业"),
    ("新能源", "电力、热力生产和供应业"),
    ("科技", "科技推广和应用服务业"),
    ("信息技术", "软件和信息技术服务业"),
    ("网络科技", "互联网和相关服务"),
    ("电子商务", "互联网和相关服务"),
    ("物流", "交通运输业"),
    ("运输", "交通运输业"),
    ("房地产开发", "房地产业"),
    ("物业管理", "房地产业"),
    ("餐饮管理", "住宿和餐饮业"),
    ("酒店管理", "住宿和餐饮业"),
    ("劳务派遣", "租赁和商务服务业"),
    ("人力资源", "租赁和商务服务业"),
    ("文化传媒", "文化、体育和娱乐业"),
    ("教育咨询", "教育"),
    ("农业开发", "农业"),
    ("环保科技", "生态保护和环境治理业"),
)
INVESTMENT = (("投资管理", "资本市场服务"), ("投资控股", "商务服务业"), ("实业", "商务服务业"))
COMPANY_SUFFIXES = ("有限公司",) * 8 + ("有限责任公司", "股份有限公司")
SHOP_KINDS = ("便利店", "超市", "餐馆", "五金店", "理发店", "小吃店", "服装店", "烟酒店", "汽修店")
INSTITUTIONS = tuple(
    "疾病预防控制中心 公共资源交易中心 城市规划设计研究院 农业科学研究所 档案馆 图书馆".split()
)
SOCIAL_ORGS = tuple(
    "建筑业协会 个体劳动者协会 物流与采购协会 餐饮行业协会 慈善总会 青年志愿者协会 红十字会".split()
)
STREETS = tuple(
    """
中山路 人民路 解放路 建设大街 和平路 胜利街 东风路 友谊大街 新华路 光明路 长江路
黄河大道 工业园区纬二路 科技园路 世纪大道
""".split()
)
COMMUNITIES = ("阳光", "幸福", "锦绣", "翠园", "金色家园", "和谐", "书香", "碧水")
EMAIL_DOMAINS = ("163.com", "qq.com", "126.com", "sina.com", "foxmail.com", "aliyun.com")

# Agencies of a city / of a district: (suffix, kind). The city or district name goes in front.
CITY_AGENCIES = (
    ("市场监督管理局", "market"),
    ("人力资源和社会保障局", "labour"),
    ("卫生健康委员会", "health"),
    ("生态环境局", "environment"),
    ("应急管理局", "safety"),
    ("住房和城乡建设局", "housing"),
    ("教育局", "education"),
    ("公安局", "police"),
    ("互联网信息办公室", "internet"),
    ("纪委监委", "discipline"),
    ("医疗保障局", "social"),
    ("民政局", "civil"),
    ("财政局", "finance"),
)
DISTRICT_AGENCIES = (
    ("市场监督管理局", "market"),
    ("人力资源和社会保障局", "labour"),
    ("公安分局", "police"),
)

# Positions and ranks of officials by the kind of body they work in:
# (position, rank, what they can do in a case)
STAFF: dict[str, tuple[tuple[str, str, str], ...]] = {
    "court": (
        ("院长", "二级高级法官", "judge"),
        ("副院长", "三级高级法官", "judge"),
        ("庭长", "四级高级法官", "judge"),
        ("审判员", "一级法官", "judge"),
        ("审判员", "二级法官", "judge"),
        ("执行员", "三级法官", "enforcer"),
        ("法官助理", "五级法官", "clerk"),
        ("书记员", "一级书记员", "clerk"),
    ),
    "procuratorate": (
        ("检察长", "二级高级检察官", "prosecutor"),
        ("检察员", "一级检察官", "prosecutor"),
        ("检察官助理", "四级检察官", "prosecutor"),
    ),
    "police": (
        ("局长", "正处级", "police"),
        ("民警", "二级警长", "police"),
        ("民警", "一级警员", "police"),
    ),
    "agency": (
        ("局长", "正处级", "leader"),
        ("副局长", "副处级", "leader"),
        ("科长", "正科级", "staff"),
        ("主任科员", "一级主任科员", "staff"),
        ("科员", "一级科员", "staff"),
    ),
}
# The posts every court fills first, so that each case can name who handled it; and the post
# an official held before a transfer.
COURT_FIRST_POSTS = (
    ("审判员", "一级法官", "judge"),
    ("书记员", "一级书记员", "clerk"),
    ("执行员", "三级法官", "enforcer"),
)
EARLIER_POST = ("科员", "一级科员", "staff")

CIVIL_CAUSES = tuple(
    """
买卖合同纠纷 民间借贷纠纷 建设工程施工合同纠纷 劳动争议 租赁合同纠纷 金融借款合同纠纷
股权转让纠纷 侵权责任纠纷 服务合同纠纷 承揽合同纠纷
""".split()
)
CRIMINAL_CAUSES = tuple(
    """
盗窃罪 诈骗罪 危险驾驶罪 非法吸收公众存款罪 合同诈骗罪 虚开增值税专用发票罪
重大责任事故罪 故意伤害罪
""".split()
)
ADMIN_CAUSES = ("行政处罚", "行政许可", "行政强制", "政府信息公开")
OBLIGATIONS = tuple(
    """
支付货款{}元及利息 偿还借款本金{}元及利息 支付工程款{}元 支付劳动报酬{}元
支付租金{}元及违约金
""".split()
)
BEHAVIOURS = tuple(
    """
有履行能力而拒不履行生效法律文书确定义务 以伪造证据、暴力、威胁等方法妨碍、抗拒执行
以虚假诉讼、虚假仲裁或者以隐匿、转移财产等方法规避执行 违反财产报告制度 违反限制消费令
无正当理由拒不履行执行和解协议
""".split()
)
INTERVENTIONS = tuple(
    """
电话要求暂缓执行 打招呼要求从轻处理 请托关照一方当事人 询问案件进展 要求变更承办人
转递当事人材料
""".split()
)

# Admin penalty domains: (domain, abbreviation in the decision number, agency kind, violation)
PENALTY_DOMAINS = (
    ("tax", "税", "tax", "未按规定期限办理纳税申报"),
    ("quality", "市监质", "market", "生产销售不合格产品"),
    ("food_drug", "市监食", "market", "生产经营不符合食品安全标准的食品"),
    ("work_safety", "应急", "safety", "未按规定开展安全生产教育和培训"),
    ("environment", "环", "environment", "超标排放大气污染物"),
    ("labour", "人社", "labour", "违反劳动合同法规定延长劳动者工作时间"),
    ("social_security", "医保", "social", "骗取医疗保障基金支出"),
    ("housing", "住建", "housing", "未取得预售许可证销售商品房"),
    ("medical", "卫", "health", "过度医疗、违规收费"),
    ("education", "教", "education", "未经批准擅自举办培训机构"),
    ("internet", "网信", "internet", "未履行网络信息安全管理义务"),
    ("traffic", "公交", "police", "道路运输车辆超限超载"),
    ("fire_safety", "公消", "police", "消防设施未保持完好有效"),
    ("e_commerce", "市监网", "market", "网络交易虚假宣传"),
    ("construction", "建", "housing", "未取得施工许可证擅自施工"),
    ("other", "综", "market", "其他违法行为"),
)

# Domain blacklists: (list, code in the entry number, agency kind, reason, for companies,
# for persons)
BLACKLISTS = (
    ("wage_arrears", "QX", "labour", "恶意拖欠劳动者工资", True, True),
    ("social_security_fraud", "PB", "social", "骗取社会保险待遇", True, True),
    ("charity_fraud", "CS", "civil", "诈捐骗捐", True, True),
    ("housing_fraud", "BZ", "housing", "骗取保障性住房", False, True),
    ("internet", "WL", "internet", "网络欺诈、造谣传谣", True, True),
    ("quality", "ZL", "market", "产品质量严重失信", True, False),
    ("food_drug", "SP", "market", "食品药品安全严重失信", True, False),
    ("work_safety", "AQ", "safety", "发生生产安全责任事故", True, False),
    ("medical", "YL", "health", "医疗机构严重失信", True, False),
    ("academic", "XS", "education", "学术不端、科研失信", False, True),
    ("student", "XY", "education", "考试作弊、恶意拖欠助学贷款", False, True),
    ("e_commerce", "DS", "market", "电子商务严重失信", True, False),
    ("construction", "GC", "housing", "工程建设领域严重失信", True, False),
    ("government_procurement", "CG", "finance", "政府采购提供虚假材料", True, False),
)

# Red lists: (list, code in the entry number, authority kind)
RED_LISTS = (
    ("a_grade_taxpayer", "A", "tax"),
    ("contract_abiding", "SHT", "market"),
    ("customs_aeo", "AEO", "customs"),
)

TAX_NATURES = tuple(
    "tax_evasion arrears_evasion export_rebate_fraud tax_resistance false_invoicing other".split()
)
APPRAISALS = ("优秀",) * 15 + ("称职",) * 80 + ("基本称职",) * 4 + ("不称职",)
# (sanction, months it affects promotion)
DISCIPLINE = (("警告", 6), ("记过", 12), ("记大过", 18), ("降级", 24), ("撤职", 24))
AWARDS = ("嘉奖", "记三等功", "记二等功")
