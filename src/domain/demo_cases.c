/*
 * demo_cases.c - the demo's year of cases (see demo_cases.h).
 *
 * First the plan: every case of the year gets its report time and the
 * steps that follow (who does what, when, with which note), drawn from
 * the demo's generator, with times on the working calendar: staff act in
 * working hours unless the case is 特急, residents in the daytime. Then
 * the run: the steps of all cases in time order, each through case_report
 * or case_act with the clock at its time, so ids, logs, inboxes and points
 * come out in the order they would have happened. Steps planned after
 * `now` are not taken: their cases are still open, as some always are.
 * Before each step the deadline sweep catches up (a minute after each
 * alert falls due, as the server's timer would), and whoever acts has
 * read their inbox first.
 *
 * Who may act is the engine's business: every step is planned for an
 * account case_flow.def allows (a holder at the case's level, the
 * assignee, the reporter, a summoned department), and a step the engine
 * refuses stops the demo, so the plan and the rules cannot drift apart.
 */
#include <math.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "core/gg.h"
#include "core/gg_log.h"
#include "core/gg_workcal.h"
#include "domain/case.h"
#include "domain/demo_cases.h"
#include "domain/photo.h"

/* ---- the working calendar ---- */

/*
 * 2026's public holidays (法定节假日) and make-up working days (调休上班)
 * as the State Council's notice on the 2026 holidays was understood when
 * this demo was written. Demo data: check it against the notice (国务院
 * 办公厅关于2026年部分节假日安排的通知) before relying on it.
 */
static const struct {
    const char *from, *to, *name;
    const char *work[2];
} holidays_2026[] = {
    {"2026-01-01", "2026-01-03", "元旦", {"2026-01-04", NULL}},
    {"2026-02-15", "2026-02-23", "春节", {"2026-02-14", "2026-02-28"}},
    {"2026-04-04", "2026-04-06", "清明节", {NULL, NULL}},
    {"2026-05-01", "2026-05-05", "劳动节", {"2026-05-09", NULL}},
    {"2026-06-19", "2026-06-21", "端午节", {NULL, NULL}},
    {"2026-09-25", "2026-09-27", "中秋节", {NULL, NULL}},
    {"2026-10-01", "2026-10-07", "国庆节", {"2026-09-20", "2026-10-10"}},
};

#define CAL_DAYS_MAX 64

struct cal_day {
    int32_t day;
    char text[16];
    const char *name;
    int work;
};

static void
day_text(int32_t day, char out[16])
{
    time_t t = (time_t)day * 86400;
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, 16, "%Y-%m-%d", &tm);
}

static int
cal_day_cmp(const void *a, const void *b)
{
    const struct cal_day *x = a, *y = b;
    return (x->day > y->day) - (x->day < y->day);
}

/* The exceptions of 2026, sorted by day; *n of them. */
static void
calendar_2026(struct cal_day out[CAL_DAYS_MAX], size_t *n)
{
    *n = 0;
    for (size_t i = 0; i < GG_ARRAY_LEN(holidays_2026); i++) {
        int32_t from = 0, to = -1;
        if (gg_workcal_day_parse(holidays_2026[i].from, "day", &from, NULL) ||
            gg_workcal_day_parse(holidays_2026[i].to, "day", &to, NULL))
            continue;
        for (int32_t d = from; d <= to && *n < CAL_DAYS_MAX; d++) {
            struct cal_day *c = &out[(*n)++];
            c->day = d;
            day_text(d, c->text);
            c->name = holidays_2026[i].name;
            c->work = 0;
        }
        for (size_t k = 0; k < 2 && holidays_2026[i].work[k]; k++) {
            struct cal_day *c;
            int32_t d;
            if (*n >= CAL_DAYS_MAX ||
                gg_workcal_day_parse(holidays_2026[i].work[k], "day", &d,
                                     NULL))
                continue;
            c = &out[(*n)++];
            c->day = d;
            day_text(d, c->text);
            c->name = holidays_2026[i].name;
            c->work = 1;
        }
    }
    qsort(out, *n, sizeof(*out), cal_day_cmp);
}

int
demo_calendar(struct store *s, int64_t *days, struct gg_err *err)
{
    struct cal_day cal[CAL_DAYS_MAX];
    struct store_calendar_day rows[CAL_DAYS_MAX];
    char names[CAL_DAYS_MAX][48];
    size_t n;

    calendar_2026(cal, &n);
    for (size_t i = 0; i < n; i++) {
        snprintf(names[i], sizeof(names[i]), "%s%s", cal[i].name,
                 cal[i].work ? "调休上班" : "");
        rows[i].day = cal[i].text;
        rows[i].work = cal[i].work;
        rows[i].name = names[i];
    }
    *days = (int64_t)n;
    return store_calendar_replace(s, "2026-01-01", "2026-12-31", rows, n, err);
}

/* ---- what the cases say ---- */

/* 事件: what is reported, what the handler reports back, who handles it
 * when it is not the grid's own work, its usual urgency, and where: at a
 * building (its name leads the title) or a spot of the grid. */
struct issue_kind {
    const char *category, *title, *description, *fix;
    int dept;    /* enum demo_department; -1: the grid's own work */
    int urgency;
    int at_building;
};

static const struct issue_kind issue_kinds[] = {
    {"public_facility", "路灯不亮",
     "小区主干道有3盏路灯连续多日不亮，夜间行人出行不便。",
     "已联系路灯维护单位更换灯具，路灯恢复照明。", DEMO_DEPT_URBAN, 1, 0},
    {"public_facility", "窨井盖破损下陷",
     "道路上一处窨井盖破损下陷，行人和车辆经过有危险。",
     "已设置警示标志，市政养护人员更换了新井盖。", DEMO_DEPT_URBAN, 2, 0},
    {"public_facility", "健身器材损坏",
     "广场上的健身器材扶手断裂，老人使用时容易受伤。",
     "已拆除损坏部件并张贴停用提示，新器材已安装到位。", -1, 1, 0},
    {"road_traffic", "人行道地砖松动",
     "人行道多块地砖松动翘起，雨天踩上去溅水，老人容易绊倒。",
     "已组织维修人员重新铺设地砖。", DEMO_DEPT_URBAN, 1, 0},
    {"road_traffic", "路面坑洼积水",
     "小区入口路面坑洼不平，下雨后大面积积水。",
     "已协调施工队修补路面，积水问题解决。", DEMO_DEPT_HOUSING, 1, 0},
    {"road_traffic", "车辆乱停放堵塞通道",
     "晚间多辆私家车停在主通道上，救护车和垃圾车无法通行。",
     "已联系车主挪车，并在通道两侧施划禁停标线。", -1, 1, 0},
    {"environment_facility", "垃圾分类亭顶棚破损",
     "垃圾分类亭顶棚破损，雨天垃圾被淋湿，气味难闻。",
     "已更换顶棚并对分类亭进行清洗消杀。", DEMO_DEPT_URBAN, 1, 0},
    {"greening", "绿化带树木倒伏",
     "大风过后绿化带一棵树倒伏，压在围墙上。",
     "已联系园林养护单位清理倒伏树木并补种。", DEMO_DEPT_URBAN, 2, 0},
    {"greening", "树枝遮挡低层住户采光",
     "楼前树木枝叶过密，遮挡一楼住户采光，夏天蚊虫多。",
     "已组织修剪树枝，住户采光恢复。", -1, 1, 1},
    {"greening", "公共绿地被私自种菜",
     "有居民在楼前公共绿地开荒种菜，破坏绿化，还施用粪肥。",
     "已上门劝导，居民自行清除菜地，绿地恢复。", -1, 1, 1},
    {"housing_land", "顶层屋面漏水",
     "顶层住户反映雨后屋顶漏水，卧室墙面发霉。",
     "已协调物业对屋面防水进行修补，经雨天检验不再渗漏。",
     DEMO_DEPT_HOUSING, 1, 1},
    {"other_facility", "楼道声控灯损坏",
     "单元楼道声控灯坏了，老人夜间上下楼看不清台阶。",
     "已更换声控灯。", -1, 1, 1},
    {"other_facility", "单元门禁损坏",
     "单元门禁无法关闭，外来人员随意进出。",
     "已联系物业维修门禁，恢复正常使用。", -1, 1, 1},
    {"sanitation", "楼道堆放杂物",
     "单元楼道堆放纸箱、旧家具等杂物，影响通行。",
     "已上门劝导住户清理杂物，楼道恢复畅通。", -1, 1, 1},
    {"sanitation", "垃圾清运不及时",
     "垃圾桶满溢多日无人清运，周边污水横流。",
     "已联系环卫公司加密清运频次，现场已清理干净。", DEMO_DEPT_URBAN, 1,
     0},
    {"sanitation", "小广告乱贴乱画",
     "单元门和电线杆上贴满开锁、办证小广告。",
     "已组织志愿者清理小广告，并在单元门口张贴提示。", -1, 1, 1},
    {"advertising", "违规设置户外广告牌",
     "沿街商铺门前擅自设置大型落地广告牌，占用人行道。",
     "执法队员已责令商户拆除广告牌。", DEMO_DEPT_URBAN, 1, 0},
    {"construction", "夜间施工噪音扰民",
     "附近工地夜里十点后还在施工，噪音影响居民休息。",
     "已联系施工单位停止夜间施工，告知夜间施工须办理许可。",
     DEMO_DEPT_HOUSING, 2, 0},
    {"construction", "装修垃圾乱堆放",
     "有住户把装修垃圾堆在楼下空地，长期没有清运。",
     "已督促装修户将垃圾清运至指定地点。", -1, 1, 1},
    {"emergency", "暴雨后地下车库进水",
     "暴雨导致地下车库入口进水，部分储藏室被淹。",
     "已组织抽水、用沙袋封堵入口，并登记受损情况。", -1, 3, 0},
    {"emergency", "自来水管爆裂",
     "楼前地下自来水管爆裂，路面冒水，整栋楼停水。",
     "已关闭阀门，供水公司抢修完毕，恢复供水。", -1, 3, 1},
    {"street_order", "占道经营",
     "沿街商户把货物摆到人行道上经营，行人只能走机动车道。",
     "执法队员已劝导商户退店经营，人行道恢复通行。", DEMO_DEPT_URBAN, 1,
     0},
    {"street_order", "流动摊贩聚集",
     "早晚高峰小区门口流动摊贩聚集，堵塞交通，垃圾遍地。",
     "已会同城管劝离摊贩，引导到便民市场经营。", DEMO_DEPT_URBAN, 1, 0},
    {"public_security", "电动车被盗",
     "居民停放在楼下的电动车夜间被盗。",
     "已协助报警，社区民警调取监控，并加强夜间巡逻。", DEMO_DEPT_POLICE,
     2, 1},
    {"public_security", "陌生人员挨家推销",
     "有陌生人挨家挨户敲门推销保健品，老人担心上当受骗。",
     "社区民警已到场劝离，并在楼道张贴防诈骗提示。", DEMO_DEPT_POLICE, 2,
     1},
    {"fire_safety", "消防通道被占用",
     "消防通道被车辆和杂物长期占用。",
     "已清理通道并设置禁停标识，纳入日常巡查。", DEMO_DEPT_FIRE, 2, 0},
    {"fire_safety", "电动车在楼道充电",
     "有住户把电动车推进楼道充电，电线从窗户拉出来。",
     "已劝导住户停止楼道充电，引导到集中充电桩充电。", -1, 2, 1},
    {"food_safety", "早餐店卫生脏乱",
     "路口早餐店后厨脏乱，从业人员不戴口罩和帽子。",
     "市场监管部门已检查并责令限期整改，复查合格。", DEMO_DEPT_MARKET, 1,
     0},
    {"eco_environment", "餐饮油烟扰民",
     "一楼饭店油烟直排，楼上住户不敢开窗。",
     "已督促商户安装油烟净化设备并定期清洗。", DEMO_DEPT_URBAN, 1, 1},
    {"eco_environment", "广场舞音响噪音扰民",
     "晚上广场舞音响音量太大，影响周边住户休息和孩子学习。",
     "已与舞蹈队协商降低音量、九点前结束，并签订文明公约。", -1, 1, 0},
    {"livelihood", "独居老人家中设施损坏",
     "独居老人家里水龙头坏了，自己没法修。",
     "网格员已上门协助联系维修，问题已解决。", -1, 1, 1},
    {"livelihood", "低保政策咨询",
     "居民想了解低保申请条件和办理流程。",
     "已上门讲解政策，并协助准备申请材料。", DEMO_DEPT_CIVIL, 1, 1},
    {"special_groups", "独居老人多日未出门",
     "邻居反映一位独居老人多日没见出门，电话也没人接。",
     "网格员会同家属上门，老人身体不适，已送医治疗。", -1, 3, 1},
    {"special_groups", "困境儿童需要帮扶",
     "一户家庭父亲去世、母亲重病，孩子上学有困难。",
     "已协助申请困境儿童生活补贴，并联系志愿者结对帮扶。",
     DEMO_DEPT_CIVIL, 1, 1},
    {"property_management", "电梯故障频繁",
     "单元电梯近一个月多次故障停运，老人上下楼困难。",
     "已督促物业联系维保单位检修，电梯恢复运行。", DEMO_DEPT_HOUSING, 2,
     1},
    {"property_management", "公共区域无人保洁",
     "小区公共区域卫生长期没人打扫。",
     "已约谈物业公司，落实保洁人员和保洁频次。", -1, 1, 0},
    {"other_event", "流浪犬追咬行人",
     "小区出现多条流浪犬，晚上追咬行人。",
     "已联系犬类收容机构捕捉流浪犬，并提醒居民注意安全。",
     DEMO_DEPT_POLICE, 2, 0},
};

/* 矛盾纠纷: what the parties disagree on, and what they agreed. */
struct dispute_kind {
    const char *category, *title, *description, *agreement;
    int dept; /* whom the street summons when it goes up */
};

static const struct dispute_kind dispute_kinds[] = {
    {"neighbourhood", "楼上漏水致楼下受损纠纷",
     "楼上卫生间漏水，楼下天花板发霉脱落，双方就维修和赔偿协商未果。",
     "楼上住户负责维修防水层，并一次性补偿楼下装修损失800元。",
     DEMO_DEPT_HOUSING},
    {"neighbourhood", "邻里噪音纠纷",
     "楼下住户反映楼上夜间拖拽家具、孩子跑跳，双方多次争吵。",
     "楼上住户铺设地垫、晚上十点后保持安静，双方互相谅解。", -1},
    {"neighbourhood", "楼道杂物占用纠纷",
     "两户邻居因楼道堆放杂物互相指责，发生口角。",
     "双方清理各自杂物，楼道公共部分保持畅通。", -1},
    {"neighbourhood", "空调外机噪音纠纷",
     "新装空调外机正对邻居卧室窗户，夜间噪音和热风影响休息。",
     "安装方将外机移位并加装减震垫。", -1},
    {"neighbourhood", "宠物扰民纠纷",
     "邻居饲养的犬只夜间吠叫、在楼道便溺，双方发生争执。",
     "养犬户承诺文明养犬、及时清理粪便，夜间把犬只关在室内。",
     DEMO_DEPT_POLICE},
    {"neighbourhood", "私搭阳光房遮挡采光纠纷",
     "一楼住户在院内搭建阳光房，遮挡二楼住户采光。",
     "一楼住户降低搭建高度，双方签订书面协议。", DEMO_DEPT_URBAN},
    {"property", "物业费收缴纠纷",
     "业主以服务不到位为由拒交物业费，物业公司多次催缴。",
     "物业公司限期整改卫生和绿化，业主补交物业费。", DEMO_DEPT_HOUSING},
    {"property", "车位占用纠纷",
     "业主的固定车位经常被他人车辆占用，双方发生争执。",
     "物业加装车位锁，占用方道歉并承诺不再占用。", -1},
    {"property", "电梯维修费用分摊纠纷",
     "单元电梯大修需动用维修资金，低层住户不同意分摊。",
     "按楼层系数分摊费用，单元全体住户签字确认。", DEMO_DEPT_HOUSING},
    {"marriage_family", "赡养老人纠纷",
     "老人反映子女互相推诿，不愿承担赡养费用和照顾责任。",
     "子女三人签订赡养协议，每人每月支付赡养费500元并轮流照顾。",
     DEMO_DEPT_CIVIL},
    {"marriage_family", "家庭矛盾调解",
     "夫妻因家务和孩子教育问题长期争吵，影响邻里。",
     "双方冷静沟通，同意各自改变做法，家庭关系缓和。", DEMO_DEPT_CIVIL},
    {"marriage_family", "房产继承纠纷",
     "老人去世后，子女就老房子的继承份额发生争执。",
     "子女就房产份额达成一致，由长子居住并补偿其他兄妹。", -1},
    {"labour", "装修工人讨薪纠纷",
     "装修工人反映业主拖欠工钱6000元，双方对工程质量有争议。",
     "业主当场支付4000元，余款在返修完成后一周内付清。", -1},
    {"labour", "商户拖欠工资纠纷",
     "店员反映离职后商户拖欠两个月工资。",
     "商户分两次付清拖欠的工资。", DEMO_DEPT_MARKET},
    {"contract", "租房押金纠纷",
     "租客退租时，房东以墙面污损为由扣留全部押金。",
     "房东扣除墙面修补费300元后退还其余押金。", -1},
    {"contract", "民间借贷纠纷",
     "邻居之间借款2万元逾期未还，双方关系紧张。",
     "借款人承诺分期还款，每月还款2000元。", -1},
    {"consumer", "预付卡退费纠纷",
     "理发店换了经营者后，拒绝为会员卡退费。",
     "店方退还卡内余额的八成，双方无异议。", DEMO_DEPT_MARKET},
    {"consumer", "装修质量纠纷",
     "业主反映装修公司施工的卫生间地面渗水，要求返工。",
     "装修公司免费返工，并将保修期延长一年。", DEMO_DEPT_MARKET},
    {"traffic", "电动车剐蹭纠纷",
     "两位居民骑电动车在小区内相撞，就医药费承担发生争执。",
     "双方各自承担一半医药费，互不追究。", DEMO_DEPT_POLICE},
    {"medical", "诊所收费纠纷",
     "居民认为诊所收费过高，要求退还部分费用。",
     "诊所出示收费明细，并退还一项重复收费。", DEMO_DEPT_MARKET},
    {"land", "楼间空地使用纠纷",
     "两户居民对楼间空地使用有争议，一方堆放杂物、一方要停车。",
     "双方同意空地保持公共使用，清理杂物。", -1},
    {"demolition", "老旧小区改造施工纠纷",
     "改造施工需拆除部分住户私搭的棚子，住户不同意。",
     "住户同意配合拆除，社区协调施工方帮助搬运物品。", DEMO_DEPT_HOUSING},
    {"other", "广场舞场地纠纷",
     "两支广场舞队伍争抢场地，发生口角。",
     "两支队伍约定分时段使用场地。", -1},
};

/* 安全隐患: found at a building or at an organisation of a kind. */
struct hazard_kind {
    const char *category, *title, *description, *fix, *check;
    int dept;
    const char *org_kind; /* NULL: at a building */
};

static const struct hazard_kind hazard_kinds[] = {
    {"fire", "楼道堆放杂物堵塞疏散通道",
     "单元楼道堆放大量纸箱、旧家具，堵塞疏散通道。",
     "已组织住户清理楼道杂物，疏散通道畅通。",
     "复查：楼道已清理干净，无新增堆放。", DEMO_DEPT_FIRE, NULL},
    {"fire", "电动车飞线充电",
     "住户从窗户私拉电线到楼下给电动车充电。",
     "已拆除飞线，引导住户到集中充电点充电。",
     "复查：现场无飞线充电，已纳入夜间巡查。", -1, NULL},
    {"fire", "地下储藏间违规住人",
     "地下储藏间被改成出租屋，无窗无消防设施。",
     "租住人员已搬离，储藏间恢复原用途。",
     "复查：储藏间已清空，无人居住。", DEMO_DEPT_FIRE, NULL},
    {"fire", "灭火器过期失效",
     "楼内灭火器压力不足，已过有效期。",
     "已更换新灭火器并登记台账。",
     "复查：灭火器在有效期内，压力正常。", -1, NULL},
    {"gas", "燃气管道锈蚀",
     "居民反映厨房燃气管道锈蚀，有时能闻到燃气味。",
     "燃气公司已更换锈蚀管段，检测无泄漏。",
     "复查：管道已更换，检测无泄漏。", DEMO_DEPT_HOUSING, NULL},
    {"gas", "液化气瓶违规存放",
     "商户后厨存放多个液化气瓶，未安装燃气泄漏报警器。",
     "已移除多余气瓶，安装了燃气泄漏报警器。",
     "复查：气瓶数量符合规定，报警器工作正常。", DEMO_DEPT_HOUSING,
     "merchant"},
    {"electrical", "楼道电线私拉乱接",
     "楼道内电线私拉乱接，绝缘层老化破损。",
     "已规范线路敷设，更换老化电线。",
     "复查：线路规范，无裸露电线。", -1, NULL},
    {"building", "外墙瓷砖空鼓脱落",
     "楼体外墙瓷砖空鼓，已有瓷砖脱落砸到地面。",
     "已设置警戒区，施工队清除空鼓瓷砖并修补。",
     "复查：外墙已修补，警戒区已撤除。", DEMO_DEPT_HOUSING, NULL},
    {"building", "阳台栏杆锈蚀松动",
     "多户阳台栏杆锈蚀松动，有坠落危险。",
     "已更换锈蚀栏杆并加固。", "复查：栏杆牢固。", -1, NULL},
    {"production", "企业仓库消防设施不足",
     "企业仓库未设置防火分区，灭火器数量不足。",
     "企业已增配灭火器并划定防火分区，签订安全生产责任书。",
     "复查：消防设施配置到位。", DEMO_DEPT_FIRE, "enterprise"},
    {"food", "后厨卫生隐患",
     "商户后厨生熟不分，冷藏设备温度不达标。",
     "商户已分区存放食材，维修了冷藏设备。",
     "复查：后厨整洁，生熟分开。", DEMO_DEPT_MARKET, "merchant"},
    {"special_equipment", "电梯年检过期",
     "单元电梯检验合格证已过期，仍在运行。",
     "维保单位已完成检验，张贴新合格证。",
     "复查：电梯检验合格，在有效期内。", DEMO_DEPT_MARKET, NULL},
};

/* 服务订单: what residents ask for, and what the community records when
 * the provider is done, per category. */
static const struct {
    const char *category, *need, *done;
} service_needs[] = {
    {"meals", "腿脚不方便，想订这个月工作日的午餐。",
     "已按时送餐，饭菜温热，老人签收。"},
    {"meals", "老伴住院，想这一周中午在食堂吃饭。",
     "已安排就餐，老人对饭菜满意。"},
    {"rehab", "中风后右手活动不便，希望康复师指导。",
     "康复师已上门理疗，并指导了居家锻炼动作。"},
    {"training", "想学用手机视频通话和挂号。",
     "已完成培训，学员能独立挂号和视频通话。"},
    {"legal", "想咨询老房子继承需要准备哪些材料。",
     "已解答咨询并出具书面意见。"},
    {"counselling", "老伴去世后一直睡不好，想找人聊聊。",
     "咨询师已面谈疏导，约定两周后回访。"},
    {"medical", "血压一直偏高，希望医生上门看看。",
     "医生已上门测量血压血糖，调整了用药。"},
    {"housekeeping", "家里需要打扫一次卫生。", "已完成保洁，居民验收满意。"},
    {"housekeeping", "厨房下水道堵了。", "已疏通下水道并检查管道。"},
    {"errands", "想请人帮忙买药、交水电费。", "志愿者已代购药品并缴费，票据交给老人。"},
    {"nursing", "术后伤口需要换药。", "护士已上门换药，并讲解了护理要点。"},
    {"other", "卧床老人想上门理发。", "已上门理发。"},
};

static const char *const spots[] = {
    "北门", "南门", "中心广场", "停车场", "沿街商铺", "健身广场",
    "社区服务中心门前", "东侧道路", "幼儿园门口", "垃圾分类亭旁"};
static const char *const rate_notes[6][3] = {
    {NULL, NULL, NULL},
    {"问题没有真正解决。", "等了很久，没人回复。", "处理结果不满意。"},
    {"处理太慢了。", "解决了一部分，还有问题。", "态度一般。"},
    {"基本解决了，希望以后更快。", "还行。", "一般。"},
    {"问题解决了，就是时间稍长。", "比较满意。", "处理得不错。"},
    {"处理及时，非常满意！", "感谢网格员，服务很好！", "态度好，效率高。"},
};
static const char *const hotline_rate_notes[] = {
    "电话回访：市民表示满意。", "电话回访：市民对处理结果认可。",
    "电话回访：市民表示问题已解决。"};
static const char *const comments[] = {
    "已电话联系反映人，约定明天上午上门查看。",
    "已到现场拍照取证。",
    "当事人情绪激动，需多次沟通。",
    "已向网格长汇报进展。",
};

/* ---- the simulation ---- */

/* An account acting in its one role. */
struct actor {
    struct account_who who;
    struct store_role role;
};

#define ACTORS_MAX 256

/* A case of the plan. */
struct kase {
    struct case_input in;
    const char *grid;    /* the point's grid; NULL: no point */
    int64_t id;          /* once reported */
    const char *state;   /* after its last step */
};

enum { STEP_REPORT = -1 };

/* One step of a case: the report or an action, at its time. */
struct step {
    int64_t at;
    int k;   /* the case */
    int seq; /* its order within the case */
    int action; /* enum case_action, or STEP_REPORT */
    const struct actor *who;
    const char *note, *outcome, *agreement, *deadline, *assignee_kind,
        *assignee_post;
    int64_t assignee_id;
    int rating;
    int64_t depts[2];
    int n_depts;
    int duplicate_of; /* a case of the plan; -1: none */
    int photo;        /* attach a new photo: 1 the finding, 2 the result */
};

struct sim {
    const struct demo_world *w;
    struct gg_arena *a;       /* the plan: until the end */
    struct gg_arena *scratch; /* one step */
    struct account_ctx ctx;
    struct case_env env;
    struct gg_workcal cal;    /* with 2026's exceptions, for the plan */
    struct gg_workcal_day days[CAL_DAYS_MAX];
    struct actor *actors[ACTORS_MAX];
    size_t n_actors;
    struct kase *cases;
    size_t n_cases, cap_cases;
    struct step *steps;
    size_t n_steps, cap_steps;
    int64_t start;            /* the year begins */
    char photo_dir[PHOTO_DIR_MAX];
    unsigned photo_seq;
    struct case_result *res;
    struct demo_cases_stats *st;
    struct gg_err *err;
};

/* The demo's generator (demo.c's SplitMix64), on demo.c's state. */
static uint64_t
rnd(struct sim *m)
{
    uint64_t z = (*m->w->rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static int64_t
range(struct sim *m, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(rnd(m) % (uint64_t)(hi - lo + 1));
}

static int
chance(struct sim *m, int percent)
{
    return range(m, 1, 100) <= percent;
}

#define ONE_OF(m, arr) (arr)[range((m), 0, (int64_t)GG_ARRAY_LEN(arr) - 1)]

static const struct actor *
actor_of(struct sim *m, const struct demo_account_ref *ref)
{
    struct actor *a;

    for (size_t i = 0; i < m->n_actors; i++)
        if (m->actors[i]->who.account_id == ref->id)
            return m->actors[i];
    a = gg_arena_alloc(m->a, sizeof(*a));
    a->role.role = ref->role;
    a->role.node_code = ref->node;
    a->who.account_id = ref->id;
    a->who.roles = &a->role;
    a->who.n_roles = 1;
    a->who.caps = role_caps(ref->role);
    if (m->n_actors < ACTORS_MAX)
        m->actors[m->n_actors++] = a;
    return a;
}

/* ---- time ---- */

/* minutes of working time after t (the moment they are used up). */
static int64_t
work_add(const struct sim *m, int64_t t, int64_t minutes)
{
    int64_t r = gg_workcal_add(&m->cal, t, minutes * 60);
    return r ? r : t + minutes * 60;
}

static int64_t
floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b < 0);
}

/* t moved forward into the local daytime [from, to) (minutes after
 * midnight): at night, to some time in the first three hours of the next
 * morning (not all at its first minute). */
static int64_t
daytime(struct sim *m, int64_t t, int from, int to)
{
    int64_t local = t + (int64_t)m->cal.tz_min * 60;
    int64_t sec = local - floor_div(local, 86400) * 86400;
    int64_t later = (int64_t)(rnd(m) % 10800);

    if (later > (to - from) * 60)
        later = 0;
    if (sec < from * 60)
        return t + from * 60 - sec + later;
    if (sec >= to * 60)
        return t + 86400 - sec + from * 60 + later;
    return t;
}

/* A moment of the local day holding t, uniform in [from, to). */
static int64_t
day_between(struct sim *m, int64_t t, int from, int to)
{
    int64_t local = t + (int64_t)m->cal.tz_min * 60;
    int64_t midnight = t - (local - floor_div(local, 86400) * 86400);

    return midnight + from * 60 +
           (int64_t)(rnd(m) % (uint64_t)((to - from) * 60));
}

/* A moment of working time on t's day, or the next working day: a span
 * drawn by its length, then a minute in it. */
static int64_t
work_moment(struct sim *m, int64_t t)
{
    int32_t d = gg_workcal_day_of(&m->cal, t);
    int64_t total = 0, pick;

    for (int i = 0; i < m->cal.n_spans; i++)
        total += m->cal.spans[i].to - m->cal.spans[i].from;
    if (!total)
        return t;
    for (int i = 0; i < 3660 && !gg_workcal_is_workday(&m->cal, d); i++)
        d++;
    pick = (int64_t)(rnd(m) % (uint64_t)(total * 60));
    for (int i = 0; i < m->cal.n_spans; i++) {
        int64_t len = (m->cal.spans[i].to - m->cal.spans[i].from) * 60;
        if (pick < len)
            return gg_workcal_day_start(&m->cal, d) +
                   m->cal.spans[i].from * 60 + pick;
        pick -= len;
    }
    return t;
}

/* ---- the plan ---- */

struct plan {
    struct sim *m;
    int k;
    int seq;
    int64_t t;           /* the last step's time */
    int64_t reported;
    int clock;           /* the rule counts around the clock (特急) */
    int64_t response_min, resolve_min;
};

static struct step *
step_add(struct plan *p, int64_t at, int action, const struct actor *who)
{
    struct sim *m = p->m;
    struct step *s;

    if (at < p->t + 60)
        at = p->t + 60 + range(m, 0, 240);
    if (m->n_steps == m->cap_steps) {
        m->cap_steps = m->cap_steps ? m->cap_steps * 2 : 4096;
        m->steps = realloc(m->steps, m->cap_steps * sizeof(*m->steps));
        if (!m->steps)
            abort();
    }
    s = &m->steps[m->n_steps++];
    memset(s, 0, sizeof(*s));
    s->at = at;
    s->k = p->k;
    s->seq = p->seq++;
    s->action = action;
    s->who = who;
    s->duplicate_of = -1;
    p->t = at;
    return s;
}

/* Staff's next moment: lo..hi minutes of working time (of clock time for
 * a 特急 case) after the last step. */
static int64_t
staff_at(struct plan *p, int64_t lo, int64_t hi)
{
    int64_t min = range(p->m, lo, hi);

    return (p->clock ? p->t + min * 60 : work_add(p->m, p->t, min)) +
           range(p->m, 0, 59);
}

/* Staff's next moment: lo..hi per mille of the case's resolution time
 * after the last step (a minute at least), so a step takes its share of
 * the time whatever the rule gives. */
static int64_t
staff_pm(struct plan *p, int64_t lo, int64_t hi)
{
    int64_t min = p->resolve_min * range(p->m, lo, hi) / 1000;

    if (min < 1)
        min = 1;
    return (p->clock ? p->t + min * 60 : work_add(p->m, p->t, min)) +
           range(p->m, 0, 59);
}

/* The moment per-mille of the resolution time after the report. */
static int64_t
due_at(struct plan *p, int64_t per_mille)
{
    int64_t min = p->resolve_min * per_mille / 1000;

    return (p->clock ? p->reported + min * 60
                     : work_add(p->m, p->reported, min)) +
           range(p->m, 0, 59);
}

/* A resident's next moment: lo..hi minutes after the last step, in the
 * daytime. */
static int64_t
resident_at(struct plan *p, int64_t lo, int64_t hi)
{
    return daytime(p->m, p->t + range(p->m, lo, hi) * 60, 7 * 60 + 30,
                   21 * 60 + 30) +
           range(p->m, 0, 59);
}

static int
rule_of(struct sim *m, struct plan *p, const struct case_input *in)
{
    struct store_case_rule *r;
    int rc = store_case_rule_get(m->w->s, case_family_name(in->family),
                                 in->category ? in->category : "",
                                 in->urgency, m->scratch, &r, m->err);
    if (rc == GG_ENOTFOUND) {
        p->response_min = 240;
        p->resolve_min = 2100;
        p->clock = 0;
        return 0;
    }
    if (rc)
        return rc;
    p->response_min = r->response_min;
    p->resolve_min = r->resolve_min;
    p->clock = !strcmp(r->clock, "clock");
    return 0;
}

static struct kase *
kase_new(struct sim *m, struct plan *p)
{
    struct kase *k;

    if (m->n_cases == m->cap_cases) {
        m->cap_cases = m->cap_cases ? m->cap_cases * 2 : 1024;
        m->cases = realloc(m->cases, m->cap_cases * sizeof(*m->cases));
        if (!m->cases)
            abort();
    }
    k = &m->cases[m->n_cases];
    memset(k, 0, sizeof(*k));
    memset(p, 0, sizeof(*p));
    p->m = m;
    p->k = (int)m->n_cases++;
    return k;
}

/* Where a case comes from, and who reports it. */
enum source { SRC_RESIDENT, SRC_PATROL, SRC_HOTLINE, SRC_DEPARTMENT };
static const char *const source_codes[] = {"resident", "patrol", "hotline",
                                           "department"};

/* The report time of a case from this source: residents in the daytime,
 * the hotline in its opening hours, staff in working time; always before
 * now. More people use the platform as the year goes on: the rate grows
 * from half the year's mean at its start to one and a half at its end
 * (density (1 + 2x) / 2 over the year, drawn by its inverse). */
static int64_t
report_time(struct sim *m, enum source src)
{
    int64_t now = m->w->now, t;

    do {
        double u = (double)range(m, 0, 1000000) / 1e6;
        double x = (sqrt(1 + 8 * u) - 1) / 2;
        t = m->start + (int64_t)(x * (double)(now - m->start - 3600));
        if (src == SRC_RESIDENT)
            t = day_between(m, t, 6 * 60 + 30, 22 * 60);
        else if (src == SRC_HOTLINE)
            t = day_between(m, t, 8 * 60, 20 * 60);
        else
            t = work_moment(m, t);
    } while (t >= now - 600);
    return t;
}

static const struct demo_world_grid *
grid_at(const struct demo_world_community *wc, int g)
{
    return &wc->grids[g];
}

/* A mobile number for a hotline caller (sealed by the engine). */
static const char *
caller_phone(struct sim *m)
{
    static const char *const prefixes[] = {"136", "137", "150", "151",
                                           "152", "182", "188", "199"};
    return gg_arena_printf(m->a, "%s%08" PRId64, ONE_OF(m, prefixes),
                           range(m, 0, 99999999));
}

/* The reporter of a case from src in grid g (a resident's account when
 * the source is residents). */
static const struct actor *
reporter_of(struct sim *m, const struct demo_world_community *wc, int g,
            enum source src)
{
    const struct demo_world_grid *gr = grid_at(wc, g);

    switch (src) {
    case SRC_RESIDENT:
        if (wc->volunteer.id && chance(m, 6))
            return actor_of(m, &wc->volunteer);
        if (gr->n_residents)
            return actor_of(m, &gr->residents[range(
                                   m, 0, (int64_t)gr->n_residents - 1)]);
        return actor_of(m, &wc->secretary);
    case SRC_PATROL:
        if (!gr->n_workers || chance(m, 20))
            return actor_of(m, &gr->chief);
        return actor_of(m, &gr->workers[range(m, 0,
                                              (int64_t)gr->n_workers - 1)]);
    case SRC_HOTLINE:
        if (wc->worker.id && chance(m, 50))
            return actor_of(m, &wc->worker);
        return actor_of(m, chance(m, 50) ? &wc->street : &wc->secretary);
    default:
        return actor_of(m, &wc->district);
    }
}

static enum source
source_pick(struct sim *m, int resident, int patrol, int hotline)
{
    int64_t r = range(m, 1, 100);

    if (r <= resident)
        return SRC_RESIDENT;
    if (r <= resident + patrol)
        return SRC_PATROL;
    if (r <= resident + patrol + hotline)
        return SRC_HOTLINE;
    return SRC_DEPARTMENT;
}

/* A point in grid g (or its building b, when b >= 0), or its code when
 * the grid is not drawn. */
static void
place(struct sim *m, struct kase *k, const struct demo_world_community *wc,
      int g, const struct demo_world_building *b)
{
    const struct demo_world_grid *gr = grid_at(wc, g);
    double lon, lat;

    if (b) {
        lon = b->lon + (double)range(m, -40, 40) * 1e-6;
        lat = b->lat + (double)range(m, -40, 40) * 1e-6;
        k->in.building_id = b->id;
        k->in.address = gg_arena_printf(m->a, "%s%s", wc->address_prefix,
                                        b->name);
    } else {
        lon = gr->box[0] + (gr->box[2] - gr->box[0]) *
                               (double)range(m, 0, 1000) / 1000.0;
        lat = gr->box[1] + (gr->box[3] - gr->box[1]) *
                               (double)range(m, 0, 1000) / 1000.0;
    }
    if (gr->drawn) {
        k->in.has_point = 1;
        k->in.lon = round(lon * 1e6) / 1e6;
        k->in.lat = round(lat * 1e6) / 1e6;
        k->grid = gr->code;
    } else {
        k->in.node_code = gr->code;
    }
}

static const struct demo_world_building *
building_in(struct sim *m, const struct demo_world_community *wc, int g)
{
    size_t n = 0, pick;

    for (size_t i = 0; i < wc->n_buildings; i++)
        n += wc->buildings[i].grid == g;
    if (!n)
        return NULL;
    pick = (size_t)range(m, 0, (int64_t)n - 1);
    for (size_t i = 0; i < wc->n_buildings; i++)
        if (wc->buildings[i].grid == g && !pick--)
            return &wc->buildings[i];
    return NULL;
}

/* The first step: the report, with the clock's rule. */
static int
report_add(struct sim *m, struct plan *p, struct kase *k,
           const struct actor *reporter, enum source src, int64_t at)
{
    struct step *s;
    int rc;

    k->in.source = source_codes[src];
    rc = rule_of(m, p, &k->in);
    if (rc)
        return rc;
    p->reported = at;
    p->t = at - 60;
    s = step_add(p, at, STEP_REPORT, reporter);
    s->at = p->t = at;
    s->photo = k->in.family == CF_HAZARD;
    return 0;
}

/* How the case goes after its report. */
struct loop {
    const struct actor *acceptor, *dispatcher, *verifier, *closer;
    const char *kind; /* dispatched to: account post department org */
    int64_t assignee_id;
    const char *post;
    const struct actor *handler;  /* reports back */
    const struct actor *other;    /* dispatched to first, then reassigned */
    const char *fix, *outcome, *agreement, *check;
    int service;                  /* no verification: closed on the report */
    int deadline_days;            /* hazards: rectify within */
    int photos;
    const struct actor *reporter; /* rates (and may reopen) */
    int rate;                     /* 1: the reporter rates; 2: a 回访 */
    int late, late_response, rework, reopen, comment, start;
    int slow; /* takes most of its time (mediation) */
    /* Stuck (积案): 1 never accepted, 2 never dispatched, 3 never
     * reported back, 4 never verified, 5 summoned and one department
     * checked in; 0: runs to the end. */
    int stuck;
    /* going up before dispatch (1 community, 2 street) and the summons */
    int up;
    const struct actor *up_by[2];
    int n_depts;
    int64_t depts[2];
    const struct actor *dept_who[2];
    const char *dept_notes[2];
};

static const char *const dept_notes[DEMO_DEPT__COUNT] = {
    "已派执法队员到场，依法责令整改。",
    "社区民警已到场，做好治安防范，配合调解。",
    "已开展消防安全检查，指导整改。",
    "已核实当事人困难情况，纳入救助帮扶。",
    "已督促物业和施工单位落实整改。",
    "已开展执法检查，责令限期整改。",
};

static int
rating_pick(struct sim *m)
{
    int64_t r = range(m, 1, 100);
    return r <= 56 ? 5 : r <= 86 ? 4 : r <= 96 ? 3 : r <= 99 ? 2 : 1;
}

static void
dispatch_to(struct step *s, const struct loop *l)
{
    s->assignee_kind = l->kind;
    s->assignee_id = l->assignee_id;
    s->assignee_post = l->post;
}

static void
report_back(struct plan *p, const struct loop *l, int64_t at)
{
    struct step *s = step_add(p, at, CA_REPORT_BACK, l->handler);

    s->note = l->fix;
    s->outcome = l->outcome;
    s->agreement = l->agreement;
    s->photo = l->photos ? 2 : 0;
}

static void
verify_close(struct plan *p, const struct loop *l)
{
    struct step *s;

    if (!l->service) {
        s = step_add(p, staff_pm(p, 20, 100), CA_PASS, l->verifier);
        s->note = l->check;
    }
    step_add(p, staff_pm(p, 5, 40), CA_CLOSE, l->closer);
}

/* The steps from acceptance to the rating. */
static void
loop_plan(struct plan *p, const struct loop *l)
{
    struct sim *m = p->m;
    struct step *s;
    int64_t pm, at;

    if (l->stuck == 1)
        return;
    /* 受理 (the response clock) */
    pm = l->late_response ? range(m, 1200, 3000) : range(m, 100, 700);
    at = p->clock ? p->reported + p->response_min * 60 * pm / 1000
                  : work_add(m, p->reported, p->response_min * pm / 1000 + 1);
    s = step_add(p, at + range(m, 0, 59), CA_ACCEPT, l->acceptor);
    if (l->deadline_days) {
        /* Hazards: rectify within so many working days; from here on the
         * steps share the time up to the deadline's end. */
        char day[16];
        int32_t d = gg_workcal_day_of(&m->cal, s->at);
        int64_t end;
        for (int left = l->deadline_days; left > 0;)
            if (gg_workcal_is_workday(&m->cal, ++d))
                left--;
        day_text(d, day);
        s->deadline = gg_arena_strdup(m->a, day);
        end = gg_workcal_day_start(&m->cal, d + 1) - 1;
        p->reported = s->at;
        p->resolve_min = gg_workcal_between(&m->cal, s->at, end) / 60;
        p->clock = 0;
    }
    if (l->comment) {
        s = step_add(p, staff_pm(p, 5, 40), CA_COMMENT, l->acceptor);
        s->note = ONE_OF(m, comments);
    }
    /* 上报, 吹哨 and 报到 */
    for (int i = 0; i < l->up; i++) {
        s = step_add(p, staff_pm(p, 10, 60), CA_ESCALATE, l->up_by[i]);
        s->note = i ? "需多个部门协同处置，上报街道综治中心。"
                    : "涉及多方，网格内难以协调，上报社区。";
    }
    if (l->n_depts) {
        s = step_add(p, staff_pm(p, 10, 50), CA_SUMMON, l->dispatcher);
        s->n_depts = l->n_depts;
        for (int i = 0; i < l->n_depts; i++)
            s->depts[i] = l->depts[i];
        for (int i = 0; i < l->n_depts; i++) {
            step_add(p, staff_pm(p, 5, 30), CA_CHECK_IN, l->dept_who[i]);
            if (l->stuck == 5)
                return;
        }
        for (int i = 0; i < l->n_depts; i++) {
            s = step_add(p, staff_pm(p, 30, 120), CA_DEPT_REPORT,
                         l->dept_who[i]);
            s->note = l->dept_notes[i];
        }
    }
    if (l->stuck == 2)
        return;
    /* 派遣 */
    s = step_add(p, staff_pm(p, 2, 20), CA_DISPATCH, l->dispatcher);
    dispatch_to(s, l);
    if (l->other) {
        s->assignee_kind = "account";
        s->assignee_id = l->other->who.account_id;
        s->assignee_post = NULL;
        s = step_add(p, staff_pm(p, 10, 60), CA_REASSIGN, l->dispatcher);
        dispatch_to(s, l);
        s->note = "原处置人另有任务，改派。";
    }
    /* 处置 and 反馈 */
    if (l->start)
        step_add(p, staff_pm(p, 5, 60), CA_START, l->handler);
    if (l->stuck == 3)
        return;
    /* Its share of the time, and some work after what went before. */
    at = due_at(p, l->late   ? range(m, 1050, 1600)
                   : l->slow ? range(m, 300, 850)
                             : range(m, 250, 650));
    pm = staff_pm(p, 30, 150);
    report_back(p, l, at > pm ? at : pm);
    if (l->stuck == 4)
        return;
    /* 核查: once sent back, then passed; 结案 */
    if (l->rework) {
        s = step_add(p, staff_pm(p, 20, 80), CA_REWORK, l->verifier);
        s->note = l->photos ? "复查不合格：仍未整改到位，请继续督促整改。"
                            : "现场核查发现问题仍未彻底解决，请重新处置。";
        report_back(p, l, staff_pm(p, 60, 200));
    }
    verify_close(p, l);
    /* 评价, and now and then a reopening (重新办理) when the reporter is
     * not satisfied */
    if (!l->rate)
        return;
    if (l->reopen) {
        s = step_add(p, resident_at(p, 60, 600), CA_RATE, l->reporter);
        s->rating = 2;
        s->note = "问题没有彻底解决。";
        s = step_add(p, resident_at(p, 30, 600), CA_REOPEN, l->reporter);
        s->note = "问题又出现了，申请重新办理。";
        s = step_add(p, staff_pm(p, 10, 60), CA_DISPATCH, l->dispatcher);
        dispatch_to(s, l);
        report_back(p, l, staff_pm(p, 100, 300));
        verify_close(p, l);
    }
    s = step_add(p, l->rate == 2 ? work_add(m, p->t, range(m, 60, 900))
                                 : resident_at(p, 30, 1800),
                 CA_RATE, l->reporter);
    s->rating = l->reopen ? 4 + chance(m, 50) : rating_pick(m);
    if (l->rate == 2)
        s->note = s->rating >= 4 ? ONE_OF(m, hotline_rate_notes)
                                 : "电话回访：市民对处理时间不太满意。";
    else if (chance(m, 60))
        s->note = rate_notes[s->rating][range(m, 0, 2)];
}

/* A case that ends before the loop: rejected (不予立案) or withdrawn. */
static void
end_plan(struct plan *p, int action, const struct actor *who,
         const char *note, int accept_first, const struct actor *acceptor)
{
    struct step *s;

    if (accept_first)
        step_add(p, staff_at(p, 10, p->response_min / 2 + 10), CA_ACCEPT,
                 acceptor);
    s = step_add(p, action == CA_WITHDRAW ? resident_at(p, 30, 900)
                                          : staff_at(p, 10,
                                                     p->response_min / 2 + 10),
                 action, who);
    s->note = note;
}

/* The people of a case at grid g: holders at the grid, the community's
 * own staff, and the street. */
struct crew {
    const struct actor *chief, *community, *secretary, *street;
    const struct actor *workers[DEMO_GRID_WORKERS_MAX];
    size_t n_workers, n_full;
};

static void
crew_of(struct sim *m, const struct demo_world_community *wc, int g,
        struct crew *c)
{
    const struct demo_world_grid *gr = grid_at(wc, g);

    c->chief = actor_of(m, &gr->chief);
    c->secretary = actor_of(m, &wc->secretary);
    c->community = wc->worker.id ? actor_of(m, &wc->worker) : c->secretary;
    c->street = actor_of(m, &wc->street);
    c->n_workers = gr->n_workers;
    c->n_full = gr->n_full;
    for (size_t i = 0; i < gr->n_workers; i++)
        c->workers[i] = actor_of(m, &gr->workers[i]);
}

static size_t
worker_pick(struct sim *m, const struct crew *c)
{
    return (size_t)range(m, 0, (int64_t)c->n_workers - 1);
}

/* Sets l's assignee to a grid worker (or the chief when there are none). */
static void
to_worker(struct sim *m, const struct crew *c, struct loop *l)
{
    size_t i;

    l->kind = "account";
    if (!c->n_workers) {
        l->assignee_id = c->chief->who.account_id;
        l->handler = c->chief;
        return;
    }
    i = worker_pick(m, c);
    l->assignee_id = c->workers[i]->who.account_id;
    l->handler = c->workers[i];
}

static void
to_account(struct loop *l, const struct actor *a)
{
    l->kind = "account";
    l->assignee_id = a->who.account_id;
    l->handler = a;
}

static void
to_department(struct sim *m, struct loop *l, int dept)
{
    l->kind = "department";
    l->assignee_id = m->w->departments[dept];
    l->handler = actor_of(m, &m->w->dept_members[dept]);
}

/* A verifier at the grid or the community who is not the handler. */
static const struct actor *
verifier_of(struct sim *m, const struct crew *c, const struct actor *handler)
{
    const struct actor *v = chance(m, 65) ? c->chief : c->community;

    if (v == handler)
        v = v == c->chief ? c->community : c->chief;
    if (v == handler)
        v = c->secretary;
    return v;
}

/* The variations of the loop every family shares. */
static void
loop_vary(struct sim *m, struct loop *l, int64_t reported, int late_pct)
{
    int64_t age = m->w->now - reported;

    l->late = chance(m, late_pct);
    l->late_response = chance(m, 5);
    l->rework = chance(m, 6);
    l->comment = chance(m, 10);
    l->start = chance(m, 40);
    l->reopen = l->rate == 1 && m->env.reopen_days >= 3 && chance(m, 2);
    /* Now and then a case gets stuck on the way (积案): more of the
     * recent ones, so the dashboards have overdue work to show. */
    if ((age < 75 * 86400 && chance(m, 8)) || range(m, 1, 1000) <= 3)
        l->stuck = (int)range(m, 1, 4);
}

/* ---- the families ---- */

static const char *
parties_of(struct sim *m, const struct demo_world_grid *gr)
{
    const char *a = "张某", *b = "李某";

    if (gr->n_names >= 2) {
        size_t i = (size_t)range(m, 0, (int64_t)gr->n_names - 1);
        size_t j = (i + 1 + (size_t)range(m, 0, (int64_t)gr->n_names - 2)) %
                   gr->n_names;
        a = gr->names[i];
        b = gr->names[j];
    }
    return gg_arena_printf(m->a, "[\"%s\",\"%s\"]", a, b);
}

static void
reporter_contact(struct sim *m, struct kase *k, enum source src)
{
    static const char *const callers[] = {"王", "李", "张", "刘", "陈",
                                          "赵", "孙", "周", "吴", "徐"};
    if (src != SRC_HOTLINE)
        return;
    k->in.contact_name = gg_arena_printf(m->a, "%s%s", ONE_OF(m, callers),
                                         chance(m, 50) ? "先生" : "女士");
    k->in.contact_phone = caller_phone(m);
}

/* The street's part when a case goes up and departments are summoned. */
static void
summons_plan(struct sim *m, struct loop *l, const struct crew *c,
             const struct demo_world_community *wc, int dept)
{
    int second = (dept + 1 + (int)range(m, 0, DEMO_DEPT__COUNT - 2)) %
                 DEMO_DEPT__COUNT;

    l->up = 2;
    l->up_by[0] = c->chief;
    l->up_by[1] = c->secretary;
    l->dispatcher = l->verifier = l->closer = actor_of(m, &wc->street);
    l->n_depts = chance(m, 60) ? 2 : 1;
    l->depts[0] = m->w->departments[dept];
    l->dept_who[0] = actor_of(m, &m->w->dept_members[dept]);
    l->dept_notes[0] = dept_notes[dept];
    l->depts[1] = m->w->departments[second];
    l->dept_who[1] = actor_of(m, &m->w->dept_members[second]);
    l->dept_notes[1] = dept_notes[second];
}

/* When case k's plan first takes action a (INT64_MAX: never). */
static int64_t
first_step_at(const struct sim *m, int k, int a)
{
    int64_t at = INT64_MAX;

    for (size_t i = m->n_steps; i-- > 0 && m->steps[i].k == k;)
        if (m->steps[i].action == a && m->steps[i].at < at)
            at = m->steps[i].at;
    return at;
}

/* The duplicate of case orig: another report of the same thing nearby a
 * few hours later, merged into it by whoever holds it while it is still
 * open (before it is verified). */
static int
duplicate_plan(struct sim *m, const struct demo_world_community *wc, int g,
               int orig, int64_t orig_at, const struct actor *holder)
{
    int64_t end = first_step_at(m, orig, CA_PASS), merge;
    struct plan p;
    struct kase *k = kase_new(m, &p);
    const struct kase *o = &m->cases[orig];
    enum source src = chance(m, 70) ? SRC_RESIDENT : SRC_HOTLINE;
    struct step *s;
    int64_t at;
    int rc;

    k->in = o->in;
    k->grid = o->grid;
    if (k->in.has_point) {
        k->in.lon = round((o->in.lon + (double)range(m, -120, 120) * 1e-6) *
                          1e6) / 1e6;
        k->in.lat = round((o->in.lat + (double)range(m, -120, 120) * 1e-6) *
                          1e6) / 1e6;
    }
    k->in.contact_name = NULL;
    k->in.contact_phone = NULL;
    reporter_contact(m, k, src);
    at = daytime(m, orig_at + range(m, 20, 480) * 60, 6 * 60 + 30, 22 * 60);
    if (end < INT64_MAX && at > orig_at + (end - orig_at) / 3)
        at = orig_at + (end - orig_at) / 3;
    if (at >= m->w->now - 600)
        at = orig_at + 120;
    rc = report_add(m, &p, k, reporter_of(m, wc, g, src), src, at);
    if (rc)
        return rc;
    merge = staff_at(&p, 10, 120);
    if (end < INT64_MAX && merge > at + (end - at) / 2)
        merge = at + (end - at) / 2;
    s = step_add(&p, merge, CA_MERGE, holder);
    s->duplicate_of = orig;
    return 0;
}

/* The report of an issue of kind ik in grid g. */
static void
issue_case(struct sim *m, const struct demo_world_community *wc,
           const struct issue_kind *ik, int g, enum source src,
           struct kase *k)
{
    const struct demo_world_building *b =
        ik->at_building ? building_in(m, wc, g) : NULL;

    k->in.family = CF_ISSUE;
    k->in.category = ik->category;
    k->in.urgency = ik->urgency < 3 && chance(m, 10) ? ik->urgency + 1
                                                      : ik->urgency;
    place(m, k, wc, g, b);
    if (b) {
        k->in.title = gg_arena_printf(m->a, "%s%s", b->name, ik->title);
    } else {
        const char *spot = ONE_OF(m, spots);
        k->in.title = gg_arena_printf(m->a, "%s%s", spot, ik->title);
        k->in.address = gg_arena_printf(m->a, "%s%s", wc->address_prefix,
                                        spot);
    }
    k->in.description = ik->description;
    reporter_contact(m, k, src);
}

static int
issue_plan(struct sim *m, const struct demo_world_community *wc, int *left)
{
    const struct issue_kind *ik = &issue_kinds[range(
        m, 0, (int64_t)GG_ARRAY_LEN(issue_kinds) - 1)];
    int g = (int)range(m, 0, (int64_t)wc->n_grids - 1);
    enum source src = source_pick(m, 40, 35, 15);
    const struct actor *reporter = reporter_of(m, wc, g, src);
    struct crew c;
    struct loop l = {0};
    struct plan p;
    struct kase *k = kase_new(m, &p);
    int64_t at = report_time(m, src);
    int64_t r = range(m, 1, 100);
    int rc, dup = 0;

    crew_of(m, wc, g, &c);
    issue_case(m, wc, ik, g, src, k);
    rc = report_add(m, &p, k, reporter, src, at);
    if (rc)
        return rc;
    (*left)--;
    if (r <= 4) {
        end_plan(&p, CA_REJECT, chance(m, 50) ? c.chief : c.community,
                 chance(m, 50)
                     ? "经现场核实，反映的问题不存在。"
                     : "该事项不属于社区受理范围，已告知反映人向有关单位反映。",
                 0, NULL);
        return 0;
    }
    if (r <= 7 && src == SRC_RESIDENT) {
        end_plan(&p, CA_WITHDRAW, reporter, "问题已经自行解决了。",
                 chance(m, 50), c.chief);
        return 0;
    }
    dup = r <= 11 && k->in.urgency == 1 && *left > 0;
    l.acceptor = chance(m, 50) ? c.chief : chance(m, 70) ? c.community
                                                         : c.workers[0];
    if (!c.n_workers && l.acceptor == c.workers[0])
        l.acceptor = c.chief;
    l.dispatcher = chance(m, 80) ? l.acceptor : c.chief;
    l.fix = ik->fix;
    l.reporter = reporter;
    l.rate = src == SRC_RESIDENT ? (chance(m, 85) ? 1 : 0)
             : src == SRC_HOTLINE ? (chance(m, 70) ? 2 : 0)
                                  : 0;
    if (ik->dept >= 0 && wc->departments && r >= 95) {
        /* 街道吹哨、部门报到 */
        summons_plan(m, &l, &c, wc, ik->dept);
        if (chance(m, 50))
            to_department(m, &l, ik->dept);
        else
            to_worker(m, &c, &l);
    } else if (ik->dept >= 0 && wc->departments && chance(m, 55)) {
        to_department(m, &l, ik->dept);
    } else if (src == SRC_PATROL && chance(m, 55) &&
               reporter != c.chief) {
        to_account(&l, reporter); /* found it, handles it */
    } else if (c.n_full && chance(m, 12)) {
        size_t i = (size_t)range(m, 0, (int64_t)c.n_full - 1);
        l.kind = "post";
        l.post = "grid_worker_full";
        l.handler = c.workers[i];
    } else {
        to_worker(m, &c, &l);
    }
    if (!l.verifier) {
        l.verifier = verifier_of(m, &c, l.handler);
        l.closer = l.verifier;
    }
    loop_vary(m, &l, at, 8);
    if (!l.n_depts && !strcmp(l.kind, "account") && c.n_workers > 1 &&
        chance(m, 4)) {
        size_t i = worker_pick(m, &c);
        if (c.workers[i] != l.handler)
            l.other = c.workers[i];
    }
    if (dup) {
        l.stuck = 0;
        l.late = 0;
    }
    loop_plan(&p, &l);
    if (dup) {
        (*left)--;
        return duplicate_plan(m, wc, g, p.k, at, l.acceptor);
    }
    return 0;
}

static const char *
outcome_pick(struct sim *m, const struct dispute_kind *dk,
             const char **agreement, const char **note)
{
    int64_t r = range(m, 1, 100);

    if (r <= 93) {
        *agreement = dk->agreement;
        *note = "经调解，双方达成一致，矛盾化解。";
        return "success";
    }
    if (r <= 96) {
        *agreement = dk->agreement;
        *note = "双方就主要诉求达成一致，个别事项仍有分歧，继续跟进。";
        return "partial";
    }
    *agreement = NULL;
    if (r <= 99) {
        *note = "当事人坚持通过诉讼解决，已引导至人民法院诉讼服务中心。";
        return "litigation";
    }
    *note = "双方分歧较大，调解未成功，已告知可通过法律途径解决。";
    return "failed";
}

static int
dispute_plan(struct sim *m, const struct demo_world_community *wc)
{
    const struct dispute_kind *dk = &dispute_kinds[range(
        m, 0, (int64_t)GG_ARRAY_LEN(dispute_kinds) - 1)];
    int g = (int)range(m, 0, (int64_t)wc->n_grids - 1);
    enum source src = source_pick(m, 50, 30, 15);
    const struct actor *reporter = reporter_of(m, wc, g, src);
    const struct demo_world_building *b = building_in(m, wc, g);
    struct crew c;
    struct loop l = {0};
    struct plan p;
    struct kase *k = kase_new(m, &p);
    int64_t at = report_time(m, src);
    int64_t r = range(m, 1, 100);
    int rc;

    crew_of(m, wc, g, &c);
    k->in.family = CF_DISPUTE;
    k->in.category = dk->category;
    k->in.urgency = chance(m, 8) ? 2 : 1;
    place(m, k, wc, g, chance(m, 70) ? b : NULL);
    k->in.building_id = 0; /* the place, not a building's case */
    if (!k->in.address)
        k->in.address = gg_arena_printf(m->a, "%s%s", wc->address_prefix,
                                        ONE_OF(m, spots));
    k->in.title = dk->title;
    k->in.description = dk->description;
    k->in.parties = parties_of(m, grid_at(wc, g));
    reporter_contact(m, k, src);
    rc = report_add(m, &p, k, reporter, src, at);
    if (rc)
        return rc;
    if (r <= 2) {
        end_plan(&p, CA_REJECT, c.secretary,
                 "该纠纷已进入诉讼程序，不再受理调解。", 0, NULL);
        return 0;
    }
    if (r <= 5 && src == SRC_RESIDENT) {
        end_plan(&p, CA_WITHDRAW, reporter, "双方已自行和解。", 0, NULL);
        return 0;
    }
    l.acceptor = chance(m, 55) ? c.chief : c.secretary;
    l.dispatcher = l.acceptor;
    l.outcome = outcome_pick(m, dk, &l.agreement, &l.fix);
    l.reporter = reporter;
    l.rate = src == SRC_RESIDENT ? (chance(m, 85) ? 1 : 0)
             : src == SRC_HOTLINE ? (chance(m, 60) ? 2 : 0)
                                  : 0;
    if (dk->dept >= 0 && wc->departments && r >= 92) {
        summons_plan(m, &l, &c, wc, dk->dept);
        l.acceptor = c.chief;
        to_account(&l, c.secretary);
    } else if (r >= 70) {
        /* 社区调委会: up to the community, mediated by its staff */
        l.acceptor = c.chief;
        l.up = 1;
        l.up_by[0] = c.chief;
        l.dispatcher = c.secretary;
        to_account(&l, chance(m, 60) || c.community == c.secretary
                           ? c.secretary
                           : c.community);
        l.verifier = l.handler == c.secretary
                         ? (c.community != c.secretary
                                ? c.community
                                : actor_of(m, &wc->street))
                         : c.secretary;
        l.closer = l.verifier;
    } else if (r >= 58 && c.n_workers) {
        to_worker(m, &c, &l);
    } else {
        to_account(&l, c.chief); /* 网格长 as mediator */
    }
    if (!l.verifier) {
        l.verifier = verifier_of(m, &c, l.handler);
        l.closer = l.verifier;
    }
    loop_vary(m, &l, at, 6);
    l.rework = chance(m, 3);
    l.start = chance(m, 70);
    l.slow = 1;
    loop_plan(&p, &l);
    return 0;
}

static const struct demo_world_org *
org_of_kind(struct sim *m, const struct demo_world_community *wc,
            const char *kind)
{
    size_t n = 0, pick;

    for (size_t i = 0; i < wc->n_orgs; i++)
        n += !strcmp(wc->orgs[i].kind, kind);
    if (!n)
        return NULL;
    pick = (size_t)range(m, 0, (int64_t)n - 1);
    for (size_t i = 0; i < wc->n_orgs; i++)
        if (!strcmp(wc->orgs[i].kind, kind) && !pick--)
            return &wc->orgs[i];
    return NULL;
}

static int
hazard_plan(struct sim *m, const struct demo_world_community *wc)
{
    const struct hazard_kind *hk;
    const struct demo_world_org *org = NULL;
    const struct demo_world_building *b = NULL;
    enum source src = source_pick(m, 20, 60, 0);
    struct crew c;
    struct loop l = {0};
    struct plan p;
    struct kase *k = kase_new(m, &p);
    const struct actor *reporter;
    int64_t at = report_time(m, src);
    int64_t r = range(m, 1, 100);
    int g, rc;

    do {
        hk = &hazard_kinds[range(m, 0,
                                 (int64_t)GG_ARRAY_LEN(hazard_kinds) - 1)];
        org = hk->org_kind ? org_of_kind(m, wc, hk->org_kind) : NULL;
    } while (hk->org_kind && !org);
    if (org) {
        g = org->grid;
    } else {
        g = (int)range(m, 0, (int64_t)wc->n_grids - 1);
        b = building_in(m, wc, g);
    }
    crew_of(m, wc, g, &c);
    reporter = reporter_of(m, wc, g, src);
    k->in.family = CF_HAZARD;
    k->in.category = hk->category;
    k->in.urgency = chance(m, 15) ? 2 : chance(m, 4) ? 3 : 1;
    if (org) {
        const struct demo_world_grid *gr = grid_at(wc, g);
        k->in.org_id = org->id;
        k->in.title = gg_arena_printf(m->a, "%s%s", org->name, hk->title);
        k->in.address = gg_arena_printf(m->a, "%s%s", wc->address_prefix,
                                        org->name);
        if (gr->drawn) {
            k->in.has_point = 1;
            k->in.lon = org->lon;
            k->in.lat = org->lat;
            k->grid = gr->code;
        } else {
            k->in.node_code = gr->code;
        }
    } else {
        place(m, k, wc, g, b);
        k->in.title = gg_arena_printf(m->a, "%s%s", b ? b->name : "",
                                      hk->title);
    }
    k->in.description =
        src == SRC_DEPARTMENT
            ? gg_arena_printf(m->a, "区级部门检查发现：%s", hk->description)
            : hk->description;
    rc = report_add(m, &p, k, reporter, src, at);
    if (rc)
        return rc;
    l.deadline_days = k->in.urgency == 3   ? 1
                      : k->in.urgency == 2 ? (int)range(m, 2, 4)
                                           : (int)range(m, 5, 20);
    if (r <= 3) {
        end_plan(&p, CA_REJECT, c.chief,
                 "经现场核实，不存在安全隐患。", 0, NULL);
        return 0;
    }
    l.acceptor = chance(m, 50) ? c.chief : c.community;
    l.dispatcher = l.acceptor;
    l.fix = hk->fix;
    l.check = hk->check;
    l.photos = 1;
    l.reporter = reporter;
    l.rate = src == SRC_RESIDENT && chance(m, 80);
    if (hk->dept >= 0 && wc->departments && r >= 90) {
        summons_plan(m, &l, &c, wc, hk->dept);
        to_department(m, &l, hk->dept);
    } else if (hk->dept >= 0 && wc->departments && chance(m, 45)) {
        to_department(m, &l, hk->dept);
    } else if (src == SRC_PATROL && reporter != c.chief && chance(m, 60)) {
        to_account(&l, reporter);
    } else {
        to_worker(m, &c, &l);
    }
    if (!l.verifier) {
        l.verifier = verifier_of(m, &c, l.handler);
        l.closer = l.verifier;
    }
    loop_vary(m, &l, at, 8);
    l.rework = chance(m, 15);
    l.reopen = 0;
    loop_plan(&p, &l);
    return 0;
}

static int
service_plan(struct sim *m, const struct demo_world_community *wc)
{
    const struct demo_world_service *sv;
    const char *need = NULL, *done = "服务已完成。";
    int g = (int)range(m, 0, (int64_t)wc->n_grids - 1);
    const struct demo_world_grid *gr = grid_at(wc, g);
    const struct actor *reporter, *desk;
    struct crew c;
    struct loop l = {0};
    struct plan p;
    struct kase *k;
    int64_t at = report_time(m, SRC_RESIDENT);
    int64_t r = range(m, 1, 100);
    size_t n = 0, pick;
    int rc;

    if (!wc->n_services || !gr->n_residents)
        return 0;
    sv = &wc->services[range(m, 0, (int64_t)wc->n_services - 1)];
    for (size_t i = 0; i < GG_ARRAY_LEN(service_needs); i++)
        n += !strcmp(service_needs[i].category, sv->category);
    pick = n ? (size_t)range(m, 0, (int64_t)n - 1) : 0;
    for (size_t i = 0; i < GG_ARRAY_LEN(service_needs); i++)
        if (!strcmp(service_needs[i].category, sv->category) && !pick--) {
            need = service_needs[i].need;
            done = service_needs[i].done;
            break;
        }
    crew_of(m, wc, g, &c);
    reporter = actor_of(m, &gr->residents[range(m, 0,
                                                (int64_t)gr->n_residents -
                                                    1)]);
    k = kase_new(m, &p);
    k->in.family = CF_SERVICE;
    k->in.service_id = sv->id;
    k->in.urgency = 1;
    k->in.title = gg_arena_printf(m->a, "预约：%s", sv->name);
    k->in.description = need ? need : sv->name;
    k->in.node_code = gr->code;
    rc = report_add(m, &p, k, reporter, SRC_RESIDENT, at);
    if (rc)
        return rc;
    desk = chance(m, 75) ? c.community : c.secretary;
    if (r <= 4) {
        end_plan(&p, CA_REJECT, desk,
                 "本周服务名额已满，已建议居民改约下周。", 0, NULL);
        return 0;
    }
    if (r <= 9) {
        end_plan(&p, CA_WITHDRAW, reporter, "临时有事，取消预约。",
                 chance(m, 50), desk);
        return 0;
    }
    l.acceptor = l.dispatcher = desk;
    l.kind = "org";
    l.assignee_id = sv->provider;
    /* The provider has no account: the community records its report. */
    l.handler = chance(m, 70) ? desk : c.chief;
    l.closer = desk;
    l.verifier = desk;
    l.service = 1;
    l.fix = done;
    l.reporter = reporter;
    l.rate = chance(m, 88);
    loop_vary(m, &l, at, 5);
    l.rework = chance(m, 3);
    l.comment = 0;
    if (!sv->provider) {
        l.kind = "account";
        l.assignee_id = l.handler->who.account_id;
    }
    loop_plan(&p, &l);
    return 0;
}

/* ---- on the departments' desks at `now` ---- */

/* The start of working time `back` working days before now's day. */
static int64_t
recent_start(struct sim *m, int back)
{
    int32_t d = gg_workcal_day_of(&m->cal, m->w->now);

    if (!m->cal.n_spans)
        return m->w->now - (int64_t)back * 86400;
    for (int i = 0; i < 3660 && back > 0; i++)
        if (gg_workcal_is_workday(&m->cal, --d))
            back--;
    return gg_workcal_day_start(&m->cal, d) + m->cal.spans[0].from * 60;
}

static void
summon_set(struct sim *m, struct loop *l, int i, int dept)
{
    l->depts[i] = m->w->departments[dept];
    l->dept_who[i] = actor_of(m, &m->w->dept_members[dept]);
    l->dept_notes[i] = dept_notes[dept];
}

/*
 * A few cases reported in the last working days that every department
 * has in hand at `now`, so its accounts see work waiting: an issue each
 * dispatched to 城管, 市场监管 and 民政; a blocked fire lane the street
 * has summoned 消防 and 公安 to, one of them checked in; and a facade
 * the 住建 department is having repaired before its deadline. Steps that
 * would fall after `now` are not taken, as for any case.
 */
static int
desk_plan(struct sim *m, const struct demo_world_community *wc,
          const char *title, int dept, int second, int back)
{
    const struct issue_kind *ik = NULL;
    const struct hazard_kind *hk = NULL;
    int g = (int)range(m, 0, (int64_t)wc->n_grids - 1);
    const struct actor *reporter = reporter_of(m, wc, g, SRC_RESIDENT);
    struct crew c;
    struct loop l = {0};
    struct plan p;
    struct kase *k = kase_new(m, &p);
    int rc;

    for (size_t i = 0; i < GG_ARRAY_LEN(issue_kinds); i++)
        if (!strcmp(issue_kinds[i].title, title))
            ik = &issue_kinds[i];
    for (size_t i = 0; i < GG_ARRAY_LEN(hazard_kinds); i++)
        if (!strcmp(hazard_kinds[i].title, title))
            hk = &hazard_kinds[i];
    crew_of(m, wc, g, &c);
    if (hk) {
        const struct demo_world_building *b = building_in(m, wc, g);
        k->in.family = CF_HAZARD;
        k->in.category = hk->category;
        k->in.urgency = 1;
        place(m, k, wc, g, b);
        k->in.title = gg_arena_printf(m->a, "%s%s", b ? b->name : "",
                                      hk->title);
        k->in.description = hk->description;
        l.fix = hk->fix;
        l.check = hk->check;
        l.photos = 1;
        l.deadline_days = 15;
    } else if (ik) {
        issue_case(m, wc, ik, g, SRC_RESIDENT, k);
        k->in.urgency = 1;
        l.fix = ik->fix;
    } else {
        return 0;
    }
    rc = report_add(m, &p, k, reporter, SRC_RESIDENT,
                    recent_start(m, back) + range(m, 600, 7200));
    if (rc)
        return rc;
    l.acceptor = l.dispatcher = c.community;
    l.reporter = reporter;
    l.rate = 1;
    to_department(m, &l, dept);
    l.verifier = l.closer = verifier_of(m, &c, l.handler);
    l.start = 1;
    l.stuck = 3;
    if (second >= 0) {
        l.up = 2;
        l.up_by[0] = c.chief;
        l.up_by[1] = c.secretary;
        l.acceptor = c.chief;
        l.dispatcher = actor_of(m, &wc->street);
        l.n_depts = 2;
        summon_set(m, &l, 0, dept);
        summon_set(m, &l, 1, second);
        l.stuck = 5;
    }
    loop_plan(&p, &l);
    return 0;
}

static int
desks_plan(struct sim *m, const struct demo_world_community *wc, int *issues,
           int *hazards)
{
    int rc = 0;

    if (!wc->departments || *issues < 4 || *hazards < 1)
        return 0;
    rc = desk_plan(m, wc, "占道经营", DEMO_DEPT_URBAN, -1, 1);
    if (!rc)
        rc = desk_plan(m, wc, "早餐店卫生脏乱", DEMO_DEPT_MARKET, -1, 2);
    if (!rc)
        rc = desk_plan(m, wc, "困境儿童需要帮扶", DEMO_DEPT_CIVIL, -1, 2);
    if (!rc)
        rc = desk_plan(m, wc, "消防通道被占用", DEMO_DEPT_FIRE,
                       DEMO_DEPT_POLICE, 1);
    if (!rc)
        rc = desk_plan(m, wc, "外墙瓷砖空鼓脱落", DEMO_DEPT_HOUSING, -1, 3);
    *issues -= 4;
    *hazards -= 1;
    return rc;
}

/* ---- photos ---- */

static void
px_rect(unsigned char *img, int w, int h, int x0, int y0, int x1, int y1,
        unsigned char r, unsigned char g, unsigned char b)
{
    for (int y = y0 < 0 ? 0 : y0; y < y1 && y < h; y++)
        for (int x = x0 < 0 ? 0 : x0; x < x1 && x < w; x++) {
            unsigned char *p = img + (size_t)y * (1 + (size_t)w * 3) + 1 +
                               (size_t)x * 3;
            p[0] = r;
            p[1] = g;
            p[2] = b;
        }
}

static void
be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static int
png_chunk(FILE *f, const char *type, const unsigned char *data, uint32_t n)
{
    unsigned char head[8], tail[4];
    uLong crc = crc32(0, (const Bytef *)type, 4);

    be32(head, n);
    memcpy(head + 4, type, 4);
    if (n)
        crc = crc32(crc, data, n);
    be32(tail, (uint32_t)crc);
    return fwrite(head, 1, 8, f) != 8 || (n && fwrite(data, 1, n, f) != n) ||
           fwrite(tail, 1, 4, f) != 4;
}

/* The photos' own generator: a case's photos show the same scene. */
static int
scene_range(uint64_t *s, int lo, int hi)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return lo + (int)((z ^ (z >> 31)) % (uint64_t)(hi - lo + 1));
}

/*
 * A photo of the place (320 x 240 PNG): sky, a building with its windows
 * and door, the ground; what was found (1) shows clutter heaped by the
 * door and a red mark, the result (2) the place clear and a green tick.
 * The scene comes from the case, the clutter from the photo's number.
 */
static int
photo_write(uint64_t scene, unsigned serial, FILE *f, int kind)
{
    uint64_t sc = scene * 0x2545F4914F6CDD1Dull, *m = &sc;
    enum { W = 320, H = 240 };
    size_t row = 1 + (size_t)W * 3, raw_n = row * H;
    unsigned char *raw = calloc(1, raw_n), ihdr[13];
    uLongf z_n = compressBound((uLong)raw_n);
    unsigned char *z = malloc(z_n);
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n',
                                         0x1a, '\n'};
    int bx = scene_range(m, 20, 120), bw = scene_range(m, 140, 190);
    int by = scene_range(m, 30, 70), ground = 185;
    unsigned char wall[3] = {(unsigned char)scene_range(m, 190, 235),
                             (unsigned char)scene_range(m, 170, 215),
                             (unsigned char)scene_range(m, 140, 190)};
    int rc = -1;

    if (!raw || !z)
        goto out;
    for (int y = 0; y < H; y++) {
        raw[(size_t)y * row] = 0; /* filter: none */
        if (y < ground) /* the sky differs a little from photo to photo */
            px_rect(raw, W, H, 0, y, W, y + 1,
                    (unsigned char)(112 + serial % 17 + y / 4),
                    (unsigned char)(180 + y / 8), 235);
        else
            px_rect(raw, W, H, 0, y, W, y + 1, 150, 148, 140);
    }
    px_rect(raw, W, H, bx, by, bx + bw, ground, wall[0], wall[1], wall[2]);
    for (int wy = by + 12; wy + 18 < ground - 30; wy += 30)
        for (int wx = bx + 12; wx + 20 < bx + bw - 8; wx += 34)
            px_rect(raw, W, H, wx, wy, wx + 20, wy + 18, 90, 120, 150);
    px_rect(raw, W, H, bx + bw / 2 - 14, ground - 42, bx + bw / 2 + 14,
            ground, 95, 70, 50);
    sc ^= (uint64_t)serial << 32;
    if (kind == 1) {
        int n = scene_range(m, 4, 8);
        for (int i = 0; i < n; i++) {
            int x = bx + bw / 2 + scene_range(m, -70, 40);
            int s = scene_range(m, 12, 30);
            px_rect(raw, W, H, x, ground - s + 6, x + s, ground + 6,
                    (unsigned char)scene_range(m, 140, 190),
                    (unsigned char)scene_range(m, 90, 130),
                    (unsigned char)scene_range(m, 40, 70));
        }
        px_rect(raw, W, H, W - 40, 12, W - 12, 40, 210, 40, 40);
    } else {
        for (int i = 0; i < 10; i++)
            px_rect(raw, W, H, W - 40 + i, 26 + i, W - 36 + i, 30 + i, 40,
                    170, 70);
        for (int i = 0; i < 18; i++)
            px_rect(raw, W, H, W - 30 + i, 35 - i * 3 / 2, W - 26 + i,
                    39 - i * 3 / 2, 40, 170, 70);
    }
    /* No two photos alike: the number shades the ground's last row. */
    px_rect(raw, W, H, 0, H - 1, W, H, (unsigned char)(140 + serial % 16),
            (unsigned char)(140 + serial / 16 % 16),
            (unsigned char)(130 + serial / 256 % 16));
    if (compress2(z, &z_n, raw, (uLong)raw_n, 6) != Z_OK)
        goto out;
    be32(ihdr, W);
    be32(ihdr + 4, H);
    ihdr[8] = 8;  /* bit depth */
    ihdr[9] = 2;  /* truecolour */
    ihdr[10] = 0; /* deflate */
    ihdr[11] = 0; /* adaptive filtering */
    ihdr[12] = 0; /* no interlace */
    if (fwrite(sig, 1, 8, f) != 8 || png_chunk(f, "IHDR", ihdr, 13) ||
        png_chunk(f, "IDAT", z, (uint32_t)z_n) ||
        png_chunk(f, "IEND", NULL, 0) || fflush(f))
        goto out;
    rc = 0;
out:
    free(raw);
    free(z);
    return rc;
}

/* Takes a photo (see photo_write), stores it as an upload would be and
 * records who took it: its hash into hash. */
static int
photo_take(struct sim *m, const struct actor *who, int k, int kind,
           char hash[PHOTO_HASH_HEX + 1])
{
    struct store_photo ph = {0};
    enum photo_type type;
    char path[PHOTO_DIR_MAX + 32];
    FILE *f = NULL;
    struct stat sb;
    int fd, w = 0, h = 0, rc;

    if (mkdir(m->photo_dir, 0700) && errno != EEXIST)
        goto io;
    snprintf(path, sizeof(path), "%s/.demo-XXXXXX", m->photo_dir);
    fd = mkstemp(path);
    if (fd < 0)
        goto io;
    f = fdopen(fd, "wb");
    if (!f) {
        close(fd);
        unlink(path);
        goto io;
    }
    if (photo_write((uint64_t)k + 1, ++m->photo_seq, f, kind) ||
        fstat(fd, &sb)) {
        fclose(f);
        unlink(path);
        goto io;
    }
    rc = photo_check(fd, (uint64_t)sb.st_size, &type, &w, &h, m->err);
    if (!rc)
        rc = photo_store(m->photo_dir, path, type, hash, m->err);
    fclose(f);
    if (rc) {
        unlink(path);
        return rc;
    }
    ph.hash = hash;
    ph.mime = "image/png";
    ph.size = (int64_t)sb.st_size;
    ph.width = w;
    ph.height = h;
    ph.uploaded_by = who->who.account_id;
    ph.at = m->ctx.now - range(m, 20, 300);
    m->st->photos++;
    return store_photo_put(m->w->s, &ph, m->err);
io:
    gg_log(GG_LOG_ERROR, "demo", "op=photo dir=%s errno=%d", m->photo_dir,
           errno);
    return gg_fail(m->err, GG_EINTERNAL, "photo", MSG_UPLOAD_FAILED);
}

/* ---- the run ---- */

static int
step_cmp(const void *a, const void *b)
{
    const struct step *x = a, *y = b;

    if (x->at != y->at)
        return (x->at > y->at) - (x->at < y->at);
    if (x->k != y->k)
        return (x->k > y->k) - (x->k < y->k);
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* The server's sweep, every minute up to t: each alert that fell due is
 * marked within a minute of it. */
static int
sweep_until(struct sim *m, int64_t t)
{
    for (;;) {
        struct store_case *due;
        size_t n = 0, marked = 0;
        int64_t at;
        int rc;

        gg_arena_reset(m->scratch);
        rc = store_case_alerts_due(m->w->s, t, 1, m->scratch, &due, &n,
                                   m->err);
        if (rc || !n)
            return rc;
        at = due[0].next_alert_at + range(m, 1, 60);
        m->ctx.now = at < t ? at : t;
        rc = case_sweep(&m->env, 1000, &marked, m->res, m->err);
        if (rc)
            return rc;
        m->st->alerts += (int64_t)marked;
    }
}

static int
step_run(struct sim *m, const struct step *s)
{
    struct kase *k = &m->cases[s->k];
    struct case_input in;
    char hash[PHOTO_HASH_HEX + 1];
    int rc;

    rc = sweep_until(m, s->at);
    if (rc)
        return rc;
    gg_arena_reset(m->scratch);
    m->ctx.now = s->at;
    /* Whoever acts has opened the app and seen their inbox. */
    rc = store_notifications_read(m->w->s, s->who->who.account_id,
                                  -INT64_MAX, s->at, NULL, m->err);
    if (rc)
        return rc;
    if (s->action == STEP_REPORT) {
        in = k->in;
        if (s->photo) {
            rc = photo_take(m, s->who, s->k, 1, hash);
            if (rc)
                return rc;
            in.photos[0] = hash;
            in.n_photos = 1;
        }
        rc = case_report(&m->env, &s->who->who, &in, k->grid, m->res, m->err);
        if (!rc)
            k->id = m->res->c->id;
    } else {
        if (!k->id)
            return 0; /* never reported: nothing to do */
        memset(&in, 0, sizeof(in));
        in.action = (enum case_action)s->action;
        in.note = s->note;
        in.outcome = s->outcome;
        in.agreement = s->agreement;
        in.deadline = s->deadline;
        in.assignee_kind = s->assignee_kind;
        in.assignee_id = s->assignee_id;
        in.assignee_post = s->assignee_post;
        in.rating = s->rating;
        for (int i = 0; i < s->n_depts; i++)
            in.departments[i] = s->depts[i];
        in.n_departments = (size_t)s->n_depts;
        if (s->duplicate_of >= 0)
            in.duplicate_of = m->cases[s->duplicate_of].id;
        if (s->photo) {
            rc = photo_take(m, s->who, s->k, s->photo, hash);
            if (rc)
                return rc;
            in.photos[0] = hash;
            in.n_photos = 1;
        }
        rc = case_act(&m->env, &s->who->who, k->id, &in, m->res, m->err);
    }
    if (rc) {
        gg_log(GG_LOG_ERROR, "demo",
               "op=case step=%s case=%" PRId64 " state=%s account=%" PRId64
               " code=%s field=%s",
               s->action == STEP_REPORT ? "report"
                                        : case_action_name(
                                              (enum case_action)s->action),
               k->id, k->state ? k->state : "-", s->who->who.account_id,
               gg_code_name(rc), m->err->field);
        return rc;
    }
    k->state = m->res->c->state == NULL ? k->state
                                        : gg_arena_strdup(m->a,
                                                          m->res->c->state);
    m->st->actions++;
    return 0;
}

static int
is_open_state(const char *s)
{
    return s && strcmp(s, "closed") && strcmp(s, "rejected") &&
           strcmp(s, "withdrawn") && strcmp(s, "merged");
}

int
demo_cases(const struct demo_world *w, struct demo_cases_stats *st,
           struct gg_err *err)
{
    struct sim m;
    struct cal_day cal[CAL_DAYS_MAX];
    size_t n_cal;
    int rc = 0;

    memset(&m, 0, sizeof(m));
    m.w = w;
    m.st = st;
    m.err = err;
    m.a = gg_arena_new(1 << 16);
    m.scratch = gg_arena_new(1 << 16);
    m.res = gg_arena_alloc(m.a, sizeof(*m.res));
    m.start = w->now - 365 * 86400;
    m.ctx.s = w->s;
    m.ctx.keys = w->keys;
    m.ctx.a = m.scratch;
    m.ctx.now = m.start;
    m.ctx.in_tx = 1;
    m.cal.tz_min = 480;
    rc = gg_workcal_hours(&m.cal, w->cfg->work_hours, err);
    if (rc)
        goto out;
    calendar_2026(cal, &n_cal);
    for (size_t i = 0; i < n_cal; i++) {
        m.days[i].day = cal[i].day;
        m.days[i].work = cal[i].work;
    }
    m.cal.days = m.days;
    m.cal.n_days = n_cal;
    m.env.ctx = &m.ctx;
    m.env.cal = m.cal;
    m.env.reopen_days = (int)w->cfg->case_reopen_days;
    photo_dir(w->cfg, m.photo_dir, sizeof(m.photo_dir));

    /* The plan. */
    for (size_t i = 0; !rc && i < w->n_communities; i++) {
        const struct demo_world_community *wc = &w->communities[i];
        int left = wc->issues, hazards = wc->hazards;
        rc = desks_plan(&m, wc, &left, &hazards);
        for (int j = 0; !rc && j < wc->disputes; j++)
            rc = dispute_plan(&m, wc);
        for (int j = 0; !rc && j < hazards; j++)
            rc = hazard_plan(&m, wc);
        for (int j = 0; !rc && j < wc->orders; j++)
            rc = service_plan(&m, wc);
        while (!rc && left > 0)
            rc = issue_plan(&m, wc, &left);
    }
    if (rc)
        goto out;
    /* The run. */
    qsort(m.steps, m.n_steps, sizeof(*m.steps), step_cmp);
    for (size_t i = 0; !rc && i < m.n_steps && m.steps[i].at <= w->now; i++)
        rc = step_run(&m, &m.steps[i]);
    if (!rc)
        rc = sweep_until(&m, w->now);
    for (size_t i = 0; !rc && i < m.n_cases; i++) {
        st->cases += m.cases[i].id != 0;
        st->open += is_open_state(m.cases[i].state);
    }
out:
    free(m.steps);
    free(m.cases);
    gg_arena_free(m.scratch);
    gg_arena_free(m.a);
    return rc;
}
