//! Extraction on small pages, one per pattern real sites use.
use super::*;

#[test]
fn classifies_notice_kinds_from_titles() {
    let check = |title: &str, kind: NoticeKind| assert_eq!(classify(title), kind, "{title}");
    check("某某工程中标结果公告", NoticeKind::Award);
    check("某某项目成交公告", NoticeKind::Award);
    check("某某项目中标候选人公示", NoticeKind::Candidate);
    check("某某项目更正公告", NoticeKind::Correction);
    check("某某项目废标公告", NoticeKind::Termination);
    check("某某项目终止公告", NoticeKind::Termination);
    check("某某项目公开招标公告", NoticeKind::Tender);
    check("某某項目中標結果公告", NoticeKind::Award);
    check("关于开展安全检查的通知", NoticeKind::Other);
}

#[test]
fn decodes_gbk_pages_and_bom() {
    let (gbk, _, _) = encoding_rs::GBK.encode("<meta charset=gbk><title>中标公告</title>");
    assert!(decode(&gbk).contains("中标公告"));
    let (gbk_no_meta, _, _) = encoding_rs::GBK.encode("中标人：甲公司");
    assert_eq!(decode(&gbk_no_meta), "中标人：甲公司");
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice("中标".as_bytes());
    assert_eq!(decode(&bom), "中标");
}

#[test]
fn label_value_cells() {
    let html = r#"<html><head><title>甲工程中标结果公告</title></head><body><table>
        <tr><td>招标人:</td><td>宜昌市甲局</td><td>建设地点</td><td>枝江市</td></tr>
        <tr><td>招标机构:</td><td>乙咨询有限公司</td><td>标段(包)编号:</td><td>ZJA990044-202501-01</td></tr>
        <tr><td>中标人:</td><td> 丙建设有限公司</td></tr>
        <tr><td>中标价(元):</td><td>502000.00</td></tr>
        <tr><td>公告发布日期:</td><td>2025-05-28</td></tr></table></body></html>"#;
    let n = extract(html.as_bytes(), "a.html");
    assert_eq!(n.kind, NoticeKind::Award);
    assert_eq!(n.buyer.as_deref(), Some("宜昌市甲局"));
    assert_eq!(n.agency.as_deref(), Some("乙咨询有限公司"));
    assert_eq!(n.winners, ["丙建设有限公司"]);
    assert_eq!(n.amount, Some(502000.0));
    assert_eq!(n.project_code.as_deref(), Some("ZJA990044-202501-01"));
    assert_eq!(n.published.map(|d| d.to_string()).as_deref(), Some("2025-05-28"));
}

#[test]
fn commitments_and_rates_are_null() {
    let html = "<title>乙中标结果公告</title><table><tr><td>中标价(报价承诺):</td><td>拟投单价6400元/吨，总价3905110元</td></tr>\
                <tr><td>中标价(%):</td><td>下浮5%</td></tr></table>";
    assert_eq!(extract(html.as_bytes(), "b.html").amount, None);
}

#[test]
fn result_tables_with_units_in_the_header() {
    let html = "<title>丁项目成交结果公告</title><table>\
        <tr><th>序号</th><th>成交供应商</th><th>成交金额（万元）</th></tr>\
        <tr><td>1</td><td>戊科技有限公司</td><td>123.45</td></tr></table>";
    let n = extract(html.as_bytes(), "c.html");
    assert_eq!(n.winners, ["戊科技有限公司"]);
    assert_eq!(n.amount, Some(1_234_500.0));
}

#[test]
fn free_text_with_sections_joint_winners_and_chinese_numerals() {
    let text = "己项目中标公告\n项目编号：GZ-2024-001\n一、采购人信息\n名 称：庚市教育局\n二、采购代理机构信息\n名称：辛招标代理有限公司\n\
                中标供应商：壬建设有限公司（牵头人）、癸设计院有限公司（成员）\n中标金额：人民币壹佰贰拾万元整\n发布时间：2024年3月5日";
    let n = extract(text.as_bytes(), "d.txt");
    assert_eq!(n.kind, NoticeKind::Award);
    assert_eq!(n.buyer.as_deref(), Some("庚市教育局"));
    assert_eq!(n.agency.as_deref(), Some("辛招标代理有限公司"));
    assert_eq!(n.winners, ["壬建设有限公司", "癸设计院有限公司"]);
    assert_eq!(n.amount, Some(1_200_000.0));
    assert_eq!(n.project_code.as_deref(), Some("GZ-2024-001"));
    assert_eq!(n.published.map(|d| d.to_string()).as_deref(), Some("2024-03-05"));
}

#[test]
fn candidates_are_not_winners() {
    let text = "子项目中标候选人公示\n第一中标候选人：丑建设有限公司\n投标报价：100万元";
    let n = extract(text.as_bytes(), "e.txt");
    assert_eq!(n.kind, NoticeKind::Candidate);
    assert!(n.winners.is_empty());
    assert_eq!(n.candidate.as_deref(), Some("丑建设有限公司"));
    // Candidates listed in one value, unranked (评定分离): the first named, and only its name.
    let text = "综合楼施工定标候选人公示\n定标候选人：甲建设集团有限公司、乙建筑工程有限公司、丁工程有限公司，排名不分先后。";
    let n = extract(text.as_bytes(), "f.txt");
    assert_eq!(n.kind, NoticeKind::Candidate);
    assert_eq!(n.candidate.as_deref(), Some("甲建设集团有限公司"));
}

fn html(body: &str) -> Notice {
    extract(
        format!("<html><head><title>某某市公共资源交易网</title></head><body>{body}</body></html>")
            .as_bytes(),
        "p.html",
    )
}

#[test]
fn the_publication_date_comes_from_the_header_not_from_periods() {
    let n = html(
        "<div class='detail-title'>甲项目施工招标公告</div><p>【信息时间： 2026-03-27】</p>\
         <p>公示期：2026-03-28至2026-04-01</p><p>招标人：甲市交通运输局</p>",
    );
    assert_eq!(n.published.map(|d| d.to_string()).as_deref(), Some("2026-03-27"));
    assert_eq!(n.kind, NoticeKind::Tender);
    assert_eq!(n.title.as_deref(), Some("甲项目施工招标公告"));
    let signed = html(
        "<p>乙项目中标结果公告</p><p>中标人：乙建设有限公司</p><p>公示时间：2026-05-02至2026-05-05</p>\
                       <p>乙市人民医院</p><p>2026年5月1日</p>",
    );
    assert_eq!(signed.published.map(|d| d.to_string()).as_deref(), Some("2026-05-01"));
    assert_eq!(signed.buyer.as_deref(), Some("乙市人民医院"));
}

#[test]
fn a_sign_off_that_names_itself() {
    // After the contacts, `日期：` and the date; the complaint boilerplate follows it.
    let n = html(
        "<div><span class='title'>施工招标公告</span></div><p>招标人为甲园区管理有限公司。</p>\
         <div><strong>招标人：</strong><span>甲园区管理有限公司</span><br><strong>电话：</strong>\
         <span>022-82939816</span><div align='right'> 日期：2025年11月26日 </div></div>\
         <div>违法违规举报：</div><div>招标人或其招标代理机构应当对其提供的招标公告的真实性负责。</div>",
    );
    assert_eq!(n.published.map(|d| d.to_string()).as_deref(), Some("2025-11-26"));
    // A date labelled as something else is no sign-off.
    let opening = html(
        "<p>乙项目招标公告</p><p>招标人：乙市人民医院</p><p>电话：0717-1234567</p>\
         <p>开标日期：2025年12月17日</p>",
    );
    assert_eq!(opening.published, None);
}

#[test]
fn a_cell_spanning_rows_is_in_each_row_it_spans() {
    let layout = super::layout::layout_html(
        "<table><tr><th>项目</th><th>候选人</th><th>报价</th></tr>\
         <tr><td rowspan='2'>甲工程</td><td>乙公司</td><td>100</td></tr>\
         <tr><td>丙公司</td><td>98</td></tr>\
         <tr><td colspan='2'>注</td><td rowspan='2'>丁</td></tr><tr><td>戊</td><td>己</td></tr></table>",
    );
    assert_eq!(
        layout.rows,
        [
            vec!["项目", "候选人", "报价"],
            vec!["甲工程", "乙公司", "100"],
            vec!["甲工程", "丙公司", "98"],
            vec!["注", "丁"],
            vec!["戊", "己", "丁"],
        ]
    );
    // A cell spanning across a column filled from above (malformed) takes the row; the cell
    // from above does not linger into the next one.
    let layout = super::layout::layout_html(
        "<table><tr><td>甲</td><td rowspan='2'>乙</td><td>丙</td></tr>\
         <tr><td colspan='3'>丁</td></tr><tr><td>戊</td><td>己</td><td>庚</td></tr></table>",
    );
    assert_eq!(layout.rows, [vec!["甲", "乙", "丙"], vec!["丁"], vec!["戊", "己", "庚"]]);
}

#[test]
fn a_ranked_table_of_candidates_awards_the_first_ranked() {
    // The project's cell spans the candidates' rows; the note says the first-ranked won.
    let n = html(
        "<p>乙工程公开招标中标公告</p><p>采购人名称：乙县城市管理局</p>\
         <table><tr><td>中标项目</td><td>中标候选人名称</td><td>综合打分</td><td>最终报价</td><td>推荐排名</td></tr>\
         <tr><td rowspan='3'>乙工程</td><td>怀化丙通讯技术有限公司</td><td>72.92</td><td>1908801.00</td><td>1</td></tr>\
         <tr><td>怀化丁电子科技有限公司</td><td>58.29</td><td>1916802.00</td><td>2</td></tr>\
         <tr><td>怀化戊科技有限公司</td><td>54.64</td><td>1914503.00</td><td>3</td></tr>\
         <tr><td></td><td colspan='4'>注：排位在第一的中标候选人为中标单位</td></tr></table>",
    );
    assert_eq!(n.kind, NoticeKind::Award);
    assert_eq!(n.winners, ["怀化丙通讯技术有限公司"]);
    assert_eq!(n.amount, Some(1_908_801.0));
}

#[test]
fn free_text_names_the_parties_and_the_ceiling() {
    let n = html(
        "<h2>丙道路改造工程招标公告</h2><p>受丙县住房和城乡建设局委托，丁工程咨询有限公司对丙道路改造工程进行公开招标。\
         招标控制价为5849499.57元。</p>",
    );
    assert_eq!(n.buyer.as_deref(), Some("丙县住房和城乡建设局"));
    assert_eq!(n.agency.as_deref(), Some("丁工程咨询有限公司"));
    assert_eq!(n.budget, Some(5_849_499.57));
    let stated = html(
        "<p>戊项目招标公告</p><p>本项目招标人为戊市水务集团有限公司，招标代理机构为己招标有限公司。</p>",
    );
    assert_eq!(stated.buyer.as_deref(), Some("戊市水务集团有限公司"));
    assert_eq!(stated.agency.as_deref(), Some("己招标有限公司"));
}

#[test]
fn a_unit_in_the_header_row_applies_to_the_cells_below() {
    let n = html(
        "<p>庚项目竞争性谈判公告</p><table><tr><td>项目名称</td><td>最高限价(万元)</td><td>工期</td></tr>\
         <tr><td>庚项目</td><td>24.16</td><td>30日历天</td></tr></table>",
    );
    assert_eq!(n.budget, Some(241_600.0));
}

#[test]
fn placeholders_and_persons_are_no_parties() {
    let n = html(
        "<p>辛项目招标公告</p><p>招标人：（单位章）</p><p>招标代理机构：&&&&&盖章位置&&&&&</p>\
         <table><tr><td>招标人</td><td>辛市教育局</td></tr><tr><td>代理机构</td><td>壬项目管理有限公司</td></tr></table>",
    );
    assert_eq!(n.buyer.as_deref(), Some("辛市教育局"));
    assert_eq!(n.agency.as_deref(), Some("壬项目管理有限公司"));
    let person =
        html("<p>癸项目招标公告</p><p>招标人：廖飞宇；代理机构工作人员：张三</p><p>招标人：癸县人民医院</p>");
    assert_eq!(person.buyer.as_deref(), Some("癸县人民医院"));
}

#[test]
fn the_precise_amount_wins_over_a_rounded_summary() {
    let n = html(
        "<p>子项目中标结果公告</p><p>中标金额：￥668.79万元</p>\
         <table><tr><td>中标人</td><td>子建设有限公司</td></tr><tr><td>中标价(元)</td><td>6687912.35</td></tr></table>",
    );
    assert_eq!(n.amount, Some(6_687_912.35));
}

#[test]
fn a_generic_page_title_gives_way_to_the_heading() {
    let n = html("<div class='ewb-title'>丑镇污水管网工程施工招标公告</div><p>招标人：丑镇人民政府</p>");
    assert_eq!(n.title.as_deref(), Some("丑镇污水管网工程施工招标公告"));
    assert_eq!(n.kind, NoticeKind::Tender);
    let check = |heading: &str, kind: NoticeKind| {
        assert_eq!(html(&format!("<p>{heading}</p><p>招标人：寅市财政局</p>")).kind, kind, "{heading}");
    };
    check("寅市档案馆搬迁服务公开竞争性谈判采购公告", NoticeKind::Tender);
    check("寅市档案馆搬迁服务补充公告", NoticeKind::Correction);
    check("寅市档案馆搬迁服务变更公告", NoticeKind::Correction);
    check("寅市档案馆搬迁服务废标公告", NoticeKind::Termination);
    check("寅市档案馆搬迁服务中标候选人公示", NoticeKind::Candidate);
    check("寅市2026年招标计划", NoticeKind::Tender);
    check("寅市档案馆2026年7月采购意向", NoticeKind::Tender);
}

/// Each lot's name, winners and amount.
fn lots_of(n: &Notice) -> Vec<(Option<&str>, Vec<&str>, Option<f64>)> {
    n.lots
        .iter()
        .map(|l| (l.name.as_deref(), l.winners.iter().map(String::as_str).collect(), l.amount))
        .collect()
}

#[test]
fn lots_keep_their_winners_and_amounts() {
    let n = html(
        "<p>卯项目中标结果公告</p><table><tr><th>标段</th><th>中标人</th><th>中标金额（元）</th></tr>\
         <tr><td>一标段</td><td>卯一建设有限公司</td><td>1200000</td></tr>\
         <tr><td>二标段</td><td>卯二建设有限公司</td><td>800000</td></tr></table>",
    );
    assert_eq!(n.lots.len(), 2);
    assert_eq!(n.lots[1].name.as_deref(), Some("二标段"));
    assert_eq!(n.lots[1].winners, ["卯二建设有限公司"]);
    assert_eq!(n.lots[1].amount, Some(800_000.0));
    // The notice's own fields are the first lot's.
    assert_eq!(n.winners, ["卯一建设有限公司"]);
    assert_eq!(n.amount, Some(1_200_000.0));
    // Rows that each award another supplier its own amount are lots without a lot column too
    // (a 政采云 result table numbered by 序号), not one lot's winners with a summed amount.
    let n = html(
        "<p>辰项目中标结果公告</p><table><tr><th>序号</th><th>中标（成交）金额(元)</th><th>中标供应商名称</th></tr>\
         <tr><td>1</td><td>最终报价:688000.00(元)</td><td>辰一通讯设备有限公司</td></tr>\
         <tr><td>2</td><td>最终报价:699700(元)</td><td>辰二服务中心</td></tr></table>",
    );
    assert_eq!(n.lots.iter().map(|l| l.amount).collect::<Vec<_>>(), [Some(688_000.0), Some(699_700.0)]);
    assert_eq!(n.lots[1].winners, ["辰二服务中心"]);
    assert_eq!(n.winners, ["辰一通讯设备有限公司"]);
    assert_eq!(n.amount, Some(688_000.0));
    // Joint winners of one lot in rows of their own share its one amount.
    let n = html(
        "<p>巳项目中标结果公告</p><table><tr><th>序号</th><th>中标人</th><th>中标金额（元）</th></tr>\
         <tr><td>1</td><td>巳一建设有限公司</td><td>500000</td></tr>\
         <tr><td>2</td><td>巳二设计院有限公司</td><td>500000</td></tr></table>",
    );
    assert!(n.lots.is_empty());
    assert_eq!(n.winners, ["巳一建设有限公司", "巳二设计院有限公司"]);
    assert_eq!(n.amount, Some(500_000.0));
}

#[test]
fn lots_laid_out_as_sections() {
    let n = html(
        "<h2>巳医院设备采购成交结果公告</h2><p>五、成交信息：</p><p>A分标：</p>\
         <p>1.成交供应商名称：巳一商贸有限公司</p><p>3.成交金额：人民币叁拾捌万玖仟陆佰元整（¥389600.00）</p>\
         <p>B分标：</p><p>1.成交供应商名称：巳二商贸有限公司</p><p>3.成交金额：¥174178.00</p>\
         <p>六、代理服务费：</p><p>A分标：向成交人收取人民币伍仟捌佰肆拾肆元整（¥5844.00）</p>\
         <p>B分标：向成交人收取人民币贰仟陆佰壹拾贰元（¥2612.00）</p>",
    );
    assert_eq!(
        lots_of(&n),
        [
            (Some("A分标"), vec!["巳一商贸有限公司"], Some(389_600.0)),
            (Some("B分标"), vec!["巳二商贸有限公司"], Some(174_178.0))
        ]
    );
    // The notice's own fields are the first lot's, as with a table of lots.
    assert_eq!(n.winners, ["巳一商贸有限公司"]);
    assert_eq!(n.amount, Some(389_600.0));

    // Lots whose number is their heading's value (`标包：A`), each amount under a label with a
    // note of its own between two colons, and the buyer named once for each lot.
    assert_eq!(
        super::candidates::label_values("中标（成交）金额：（可填写下浮率、折扣率或 费率）：2767万元"),
        [("中标（成交）金额（可填写下浮率、折扣率或 费率）".to_string(), "2767万元".to_string())]
    );
    // As paragraphs, and as a table of one cell a row (a row's `label：value` read as a line's),
    // with what each lot buys in sections named as the lots again.
    let lines = [
        "标包：A",
        "供应商名称：<u>甲建设有限公司</u>",
        "中标（成交）金额：（可填写下浮率、折扣率或 费率）：<u>2837.861389万元</u>",
        "标包：B",
        "供应商名称：<u>乙建设有限公司</u>",
        "中标（成交）金额：（可填写下浮率、折扣率或费率）：<u>2767万元</u>",
        "四、主要标的信息：",
        "标包：A",
        "名称：<u>6#7#9#学生公寓改造</u>",
        "标包：B",
        "名称：<u>3#5#学生公寓改造</u>",
    ];
    let as_paragraphs: String = lines.iter().map(|l| format!("<p>{l}</p>")).collect();
    let as_rows: String = lines.iter().map(|l| format!("<tr><td>{l}</td></tr>")).collect();
    for body in [as_paragraphs, format!("<table>{as_rows}</table>")] {
        let n = html(&format!(
            "<h2>丙大学公寓改造项目施工中标（成交）公告</h2><table><tr><td>采购单位</td>\
             <td>丙大学,丙大学</td></tr></table><p>三、中标（成交）信息：</p>{body}"
        ));
        assert_eq!(
            lots_of(&n),
            [
                (Some("标包A"), vec!["甲建设有限公司"], Some(28_378_613.89)),
                (Some("标包B"), vec!["乙建设有限公司"], Some(27_670_000.0))
            ],
            "{body}"
        );
        assert_eq!(n.amount, Some(28_378_613.89));
        assert_eq!(n.buyer.as_deref(), Some("丙大学"));
    }

    // Lots in one paragraph, each after the last's clause, and a lot's heading run into its
    // winner's label.
    for text in [
        "某道路工程中标结果公告\n第一标段：中标人：甲建设有限公司，中标价：100万元；第二标段：中标人：乙建设有限公司，中标价：80万元。",
        "某道路工程中标结果公告\n一标段中标人：甲建设有限公司，中标价：100万元\n二标段中标人：乙建设有限公司，中标价：80万元",
    ] {
        let n = extract_text(text, false, "lots.txt");
        let lots: Vec<(Vec<&str>, Option<f64>)> =
            n.lots.iter().map(|l| (l.winners.iter().map(String::as_str).collect(), l.amount)).collect();
        assert_eq!(
            lots,
            [(vec!["甲建设有限公司"], Some(1_000_000.0)), (vec!["乙建设有限公司"], Some(800_000.0))],
            "{text}"
        );
        assert_eq!(n.winners, ["甲建设有限公司"]);
    }

    // One lot named twice (the bids, then the result) is no layout of lots.
    let n = html(
        "<h2>午项目成交公告</h2><p>包1</p><p>中标供应商：午一有限公司</p>\
         <p>包1</p><p>成交供应商：午二有限公司</p>",
    );
    assert!(n.lots.is_empty(), "{:?}", n.lots);
    // Nor are `一包装要求` and `二包装要求` lots `一包` and `二包`.
    let n = html(
        "<h2>午项目成交公告</h2><p>一包装要求：纸箱</p><p>中标人：午三有限公司</p>\
         <p>二包装要求：木箱</p><p>中标人：午四有限公司</p>",
    );
    assert!(n.lots.is_empty(), "{:?}", n.lots);
}

#[test]
fn summary_table_cells_are_no_title() {
    // ccgp's summary table marks its label cells `class=title`; the page has no heading.
    let n = html(
        "<table><tr><td class=title>采购项目名称</td><td>未设备采购</td></tr>\
         <tr><td class=title>谈判小组、询价小组成员、磋商小组成员名单及单一来源采购人员名单</td><td>甲、乙</td></tr></table>\
         <p>未代理有限公司受未医院委托，现就本次谈判的成交结果公告如下：</p>\
         <p>一、采购项目名称及编号：未设备采购（GXZC2018-J1-21797-KLZB（重））</p>\
         <p>1.成交供应商名称：未商贸有限公司</p>",
    );
    assert_eq!(n.title, None);
    assert_eq!(n.project_code.as_deref(), Some("GXZC2018-J1-21797-KLZB"));
    assert_eq!(n.winners, ["未商贸有限公司"]);
}

#[test]
fn codes_are_trimmed_of_trailing_punctuation() {
    let n = html("<p>辰项目招标公告</p><p>项目编号：CZ-2026-018。招标人：辰区卫生健康局</p>");
    assert_eq!(n.project_code.as_deref(), Some("CZ-2026-018"));
    let n = html("<h2>某所台式计算机网上竞价成交公告</h2><p>某所台式计算机网上竞价项目（网上竞价编号：GDPX2016Z04048），于2016年12月16日发布</p>");
    assert_eq!(n.project_code.as_deref(), Some("GDPX2016Z04048"));
}

#[test]
fn every_field_says_where_it_came_from() {
    let (n, evidence) = explain(
        "<p>巳项目中标结果公告</p><p>采购人：巳市第一中学</p><p>中标供应商：巳体育用品有限公司</p>"
            .as_bytes(),
        "e.html",
    );
    assert_eq!(n.buyer.as_deref(), Some("巳市第一中学"));
    let buyer = evidence.iter().find(|e| e.field == "buyer").expect("buyer evidence");
    assert_eq!((buyer.how, buyer.label.as_str()), ("label", "采购人"));
    assert!(buyer.text.contains("采购人：巳市第一中学"), "{buyer:?}");
    assert!(evidence.iter().any(|e| e.field == "kind" && e.value == "award"));
}

#[test]
fn government_sites_meta_tags_give_title_and_date() {
    let page = r#"<html><head><title>某某市人民政府门户网站</title>
        <meta name="ArticleTitle" content="午市图书馆数字资源采购项目中标(成交)结果公告">
        <meta name="PubDate" content="2025-06-27 17:52"></head>
        <body><p>一、项目编号：WS-2025-031</p><p>中标供应商名称：午数字科技有限公司</p></body></html>"#;
    let n = extract(page.as_bytes(), "m.html");
    assert_eq!(n.title.as_deref(), Some("午市图书馆数字资源采购项目中标(成交)结果公告"));
    assert_eq!(n.kind, NoticeKind::Award);
    assert_eq!(n.published.map(|d| d.to_string()).as_deref(), Some("2025-06-27"));
}

#[test]
fn a_sentence_may_name_the_winner() {
    let n = html("<p>未项目成交结果公告</p><p>经评审，确定成交供应商为未信息技术有限公司，成交金额为人民币45.6万元。</p>");
    assert_eq!(n.winners, ["未信息技术有限公司"]);
    assert_eq!(n.amount, Some(456_000.0));
}

#[test]
fn a_candidate_list_in_a_ranked_table() {
    let n = extract(
        "<html><head><title>中国招标投标公共服务平台</title></head><body>\
         <h3>申水库除险加固工程施工中标候选人公示</h3><p>发布时间：2026-03-05</p>\
         <table><tr><td>招标项目编号</td><td>E3600000000012345001</td><td>招标人</td><td>申县水利局</td></tr>\
         <tr><td>招标代理机构</td><td>申诚工程咨询有限公司</td><td>项目名称</td><td>申水库除险加固工程</td></tr></table>\
         <table><tr><th>排名</th><th>中标候选人名称</th><th>投标报价(元)</th><th>工期(日历天)</th></tr>\
         <tr><td>1</td><td>申一建设有限公司</td><td>12,345,678.00</td><td>180</td></tr>\
         <tr><td>2</td><td>申二建设有限公司</td><td>12,400,000.00</td><td>180</td></tr></table>\
         <p>公示期：2026年3月5日至2026年3月8日</p></body></html>"
            .as_bytes(),
        "c.html",
    );
    assert_eq!(n.kind, NoticeKind::Candidate);
    assert_eq!(n.title.as_deref(), Some("申水库除险加固工程施工中标候选人公示"));
    assert_eq!(n.published.map(|d| d.to_string()).as_deref(), Some("2026-03-05"));
    assert_eq!(n.buyer.as_deref(), Some("申县水利局"));
    assert_eq!(n.agency.as_deref(), Some("申诚工程咨询有限公司"));
    assert_eq!(n.project_code.as_deref(), Some("E3600000000012345001"));
    assert!(n.winners.is_empty() && n.amount.is_none(), "a candidate list awards nothing: {n:?}");
    assert_eq!(n.candidate.as_deref(), Some("申一建设有限公司"));
}

#[test]
fn a_correction_names_the_original_notice() {
    let n = html(
        "<div class='article-title'>酉市人民医院医疗设备采购项目更正公告</div>\
         <p>一、项目基本情况</p><p>原公告的采购项目编号：GDZC2026-0311</p><p>首次公告日期：2026年03月01日</p>\
         <p>二、更正信息</p><p>更正事项：采购文件</p><p>更正日期：2026年03月05日</p>\
         <p>1.采购人信息</p><p>名 称：酉市人民医院</p><p>2.采购代理机构信息</p><p>名 称：酉信招标代理有限公司</p>",
    );
    assert_eq!(n.kind, NoticeKind::Correction);
    assert_eq!(n.project_code.as_deref(), Some("GDZC2026-0311"));
    assert_eq!(n.published.map(|d| d.to_string()).as_deref(), Some("2026-03-05"));
    assert_eq!(n.buyer.as_deref(), Some("酉市人民医院"));
    assert_eq!(n.agency.as_deref(), Some("酉信招标代理有限公司"));
}
/// A summary flattened into one line: labels run into the values before them, with no
/// separator between (`…有限公司采购代理机构地址：`), after an address (`507室3.中标金额：`), or
/// after a figure (`（RMB2,288,231.72）主要中标标的情况如下：`).
#[test]
fn labels_run_into_the_values_before_them() {
    let line = "一、采购人名称：珠海市教育局采购人地址：珠海市人民东路112号 八、中标信息 1.中标供应商名称：广东博思信息技术有限公司 \
                2.中标供应商地址：珠海市香洲区507室3.中标金额：人民币贰佰贰拾捌万捌仟贰佰叁拾壹元柒角贰分（RMB2,288,231.72）主要中标标的情况如下：序号 \
                采购代理机构名称：广东采联采购招标有限公司采购代理机构地址：珠海市香洲兴华路210号2楼采购代理机构联系人：钟丽仪";
    let pairs = super::candidates::label_values(line);
    let value_of = |label: &str| pairs.iter().find(|(l, _)| l == label).map(|(_, v)| v.as_str());
    assert_eq!(value_of("一、采购人名称"), Some("珠海市教育局"), "{pairs:?}");
    assert_eq!(value_of("1.中标供应商名称"), Some("广东博思信息技术有限公司"));
    assert_eq!(value_of("3.中标金额"), Some("人民币贰佰贰拾捌万捌仟贰佰叁拾壹元柒角贰分（RMB2,288,231.72）"));
    assert_eq!(value_of("采购代理机构名称"), Some("广东采联采购招标有限公司"));
    assert_eq!(value_of("采购代理机构联系人"), Some("钟丽仪"));

    let n = html(&format!(
        "<div class='title'>珠海市某项目的中标公告</div><p>所属地区：广东省珠海市招标采购 所属招标分类：教育</p>\
         <p>公告概要：采购单位珠海市教育局行政区域珠海市公告时间2016年11月14日 17:52 代理机构名称详见公告正文 \
         广东采联采购招标有限公司受珠海市教育局的委托，于2016年10月17日采用公开招标进行采购。</p><p>{line}</p>\
         <p>九、中标候选人信息 1.中标候选人供应商名称：珠海鼎日电子科技有限公司 2.中标候选人地址：珠海市香洲凤凰南路1030号</p>"
    ));
    assert_eq!(n.amount, Some(2_288_231.72));
    assert_eq!(n.buyer.as_deref(), Some("珠海市教育局"));
    assert_eq!(n.agency.as_deref(), Some("广东采联采购招标有限公司"));
    assert_eq!(n.winners, vec!["广东博思信息技术有限公司".to_string()]);
    assert_eq!(n.region.as_deref(), Some("广东省珠海市"));
    assert_eq!(n.published.map(|d| d.to_string()).as_deref(), Some("2016-11-14"));
    assert_eq!(n.candidate, None, "an address is no candidate");
}

/// An e-procurement platform's page: the site's name in brackets after the title, the buyer
/// named as who published the procurement, the platform signing off (no buyer), and a title
/// that still says 采购公告 over a body that states the result.
#[test]
fn a_platform_result_page() {
    let page = "<html><head><title>甲型打印机采购公告- 【某某易购】</title></head><body>\
        <h2>甲型打印机采购公告</h2><p>发布时间：2011-09-28</p>\
        <p>项目编号： YGYG-201109280003</p>\
        <p>北京卯辰科技有限公司于 2011 年09月20日 在某某易购电子采购平台发布的 采购甲型打印机采购项目，经过询价采购程序，最终确认采购结果如下：</p>\
        <p>成交供应商名称: 北京巳午电子有限公司</p><p>所属行政区域： 北京市</p><p>成交金额： 人民币 3850 元</p>\
        <p>特此公告！</p><p>某某易购电子采购平台</p><p>2011年09月28日</p></body></html>";
    let n = super::extract_text(page, true, "p.html");
    assert_eq!(n.title.as_deref(), Some("甲型打印机采购公告"));
    assert_eq!(n.kind, NoticeKind::Award, "the body states the result");
    assert_eq!(n.buyer.as_deref(), Some("北京卯辰科技有限公司"), "the platform is no buyer");
    assert_eq!(n.winners, vec!["北京巳午电子有限公司".to_string()]);
    assert_eq!(n.amount, Some(3850.0));
    assert_eq!(n.region.as_deref(), Some("北京市"));

    // A tender whose body names no winner and amount by label stays a tender.
    let tender = page.replace("<p>成交供应商名称: 北京巳午电子有限公司</p>", "");
    assert_eq!(super::extract_text(&tender, true, "t.html").kind, NoticeKind::Tender);
}

/// A party's label run into its name with only a space (`中标单位 甲公司 项目经理…`), and a
/// heading that mentions candidates, which is no label of the next line.
#[test]
fn labels_parted_from_their_values_by_a_space() {
    let n = html("<h1>某矿选煤厂设备采购中标结果公告</h1><p>中标单位 天津辰巳科技股份有限公司 项目经理吕某</p><p>中标价格 2791300.0000元 工期90天</p>");
    assert_eq!(n.winners, vec!["天津辰巳科技股份有限公司".to_string()]);
    assert_eq!(n.amount, Some(2_791_300.0));
    let n = html("<h1>某设备采购中标候选人公示</h1><p>河北午未机械设备进出口有限公司 报价 868000元</p>");
    assert_eq!(n.candidate, None, "a heading is no label: {n:?}");
}

/// Result forms as public-resource exchanges print them: a label spaced out and prefixed with
/// 拟 (the proposed winner), a label with a note of alternatives, and rows of a winner's block
/// that kept only the gap between label and value.
#[test]
fn proposed_winners_noted_labels_and_rows_parted_by_a_gap() {
    let n = html("<h1>某县道路改造工程中标结果公示</h1><table><tr><td>招标人</td><td>某县住房和城乡建设局</td></tr>\
                  <tr><td>拟 中 标 人</td><td>河南坤宇市政园林工程有限公司</td><td>中标金额 (万元)</td><td>3044</td></tr></table>");
    assert_eq!(n.winners, vec!["河南坤宇市政园林工程有限公司".to_string()]);
    assert_eq!(n.amount, Some(30_440_000.0));
    let n = html("<h1>某中学教学楼建设工程中标结果公示</h1><p>招标人：某区教育委员会</p><p>中标人信息</p>\
                  <p>单位名称 重庆建工第三建设有限责任公司</p><p>中标金额（费率、单价等） 1180000.00元</p><p>项目负责人 张三</p>");
    assert_eq!(n.winners, vec!["重庆建工第三建设有限责任公司".to_string()]);
    assert_eq!(n.amount, Some(1_180_000.0));
    // The form flattened into one line, its label still spaced out, the unit in brackets.
    let n = html("<h1>某县道路改造工程中标结果公示</h1><p>招标人 某县住房和城乡建设局 招标代理机构 河南宏远工程管理有限公司</p>\
                  <p>拟 中 标 人 河南坤宇市政园林工程有限公司 中标金额 (万元) 3044 工商注册号 91410726MA3X5K8T2C</p>");
    assert_eq!(n.winners, vec!["河南坤宇市政园林工程有限公司".to_string()]);
    assert_eq!(n.amount, Some(30_440_000.0));
    assert_eq!(n.agency.as_deref(), Some("河南宏远工程管理有限公司"));
    // A rate where the note allows one is still no amount; a lot's note is no plain label.
    let n = html(
        "<h1>某工程中标结果公示</h1><p>中标人：甲建设有限公司</p><p>中标金额（费率、单价等）：下浮率5%</p>",
    );
    assert_eq!(n.amount, None);
    let n = html(
        "<h1>某工程中标结果公示</h1><p>中标人：甲建设有限公司</p><p>中标价（报价承诺）：595000.00元</p>",
    );
    assert_eq!(n.amount, None, "a note that qualifies the figure is no list of alternatives");
    assert_eq!(super::labels::classify_label("中标金额（第一包）"), None);
    assert!(super::labels::classify_label("拟定中标单位").is_some());
    assert_eq!(super::labels::classify_label("拟采购人"), None, "only a winner or its amount is proposed");
}

/// Tender conditions that name the parties in sentences: `招标人为` with a space before the
/// name, and the agent engaged with `现委托…对` rather than `受…委托`.
#[test]
fn the_parties_in_the_tender_conditions() {
    let n = html(
        "<h1>某道路及管线工程施工资格预审公告</h1><div>招标人为 北京市申酉建设中心，建设地点 大兴区。</div>",
    );
    assert_eq!(n.buyer.as_deref(), Some("北京市申酉建设中心"));
    let n = html(
        "<h1>某水库工程检测招标公告</h1><div>1.招标条件</div><div>本项目已经批准建设，项目法人和招标人为临沂某某工程建设管理局，建设资金已经落实。\
         现委托山东戌亥建设咨询有限公司对该项目检测标进行国内公开招标。</div>",
    );
    assert_eq!(n.buyer.as_deref(), Some("临沂某某工程建设管理局"));
    assert_eq!(n.agency.as_deref(), Some("山东戌亥建设咨询有限公司"));
}

#[test]
fn a_form_of_padded_cells_run_into_one_line_is_read_cell_by_cell() {
    // A trading site's 工程信息发布表 as a crawler flattened it: each label padded from its value.
    let text = "某某道路工程施工 【信息时间： 2021/6/23 阅读次数： 83 】 工程编码   CXX2021063098 \
                工程名称   某某道路工程 建设单位   长兴县人民政府龙山街道办事处 工程类别   施工     \
                招标方式   公开招标 建设地点 项目所在区域   湖州市·长兴县   建筑面积 中标价   160.264600   万元 \
                填报人   徐国义";
    let n = extract_text(text, false, "padded.txt");
    assert_eq!(n.buyer.as_deref(), Some("长兴县人民政府龙山街道办事处"));
    assert_eq!(n.project_code.as_deref(), Some("CXX2021063098"));
    assert_eq!(n.region.as_deref(), Some("湖州市·长兴县"));
    // A figure keeps its unit.
    assert!(layout::layout_text(text).lines.contains(&"160.264600 万元".to_string()));
}

#[test]
fn a_flattened_page_is_read_as_it_was_laid_out() {
    // A crawler's stripped text: sections run together, the result table's header cells
    // followed by its values, the buyer's section heading on the line of its `名称：`.
    let text = "一、项目编号：GP-2026-7 二、项目名称：甲设备采购 三、采购结果 采购包1: 供应商名称 \
                供应商地址 中标金额 评审得分 甲医疗器械有限公司 某市某路9号 1,250,000.00元 88.5 \
                乙科技有限公司 某市某路10号 300,000.00元 80.1 四、主要标的信息 代理服务费金额： 9000元。 \
                1.采购人信息 名称： 某市人民医院 2.采购代理机构信息 名称： 丙招标代理有限公司";
    let lines = layout::unflatten(vec![layout::collapse(text)], &mut Vec::new());
    // The lot's heading a line of its own, then its table.
    assert_eq!(lines[3], "采购包1:");
    assert_eq!(lines[4], "供应商名称\t供应商地址\t中标金额\t评审得分");
    assert_eq!(lines[6], "乙科技有限公司\t某市某路10号\t300,000.00元\t80.1");
    assert!(lines.contains(&"1.采购人信息 名称： 某市人民医院".to_string()), "{lines:?}");
    let n = extract_text(text, false, "flat.txt");
    assert_eq!(n.kind, NoticeKind::Award);
    assert_eq!(n.winners, ["甲医疗器械有限公司", "乙科技有限公司"]);
    assert_eq!(n.amount, Some(1_550_000.0), "two winners of one lot: the sum");
    assert_eq!(n.buyer.as_deref(), Some("某市人民医院"));
    assert_eq!(n.agency.as_deref(), Some("丙招标代理有限公司"));
    assert_eq!(n.project_code.as_deref(), Some("GP-2026-7"));

    // Values that do not fill whole rows, or a figure that is no marker, leave the line as it is.
    let ragged = "供应商名称 中标金额 甲公司 100元 乙公司";
    assert_eq!(layout::unflatten(vec![ragged.to_string()], &mut Vec::new()), [ragged]);
    let decimal = "中标金额 1.5万元 工期 90天";
    assert_eq!(layout::unflatten(vec![decimal.to_string()], &mut Vec::new()), [decimal]);
}

#[test]
fn a_text_whose_line_ends_became_tabs() {
    // A crawler's text of a page: the HTML's indentation kept as tabs, no line ends. Read as a
    // table row, `中标供应商` (a bidder's status in the negotiation table) named the next cell,
    // another bidder, as the winner.
    let text = "成交公告\t\t公告日期：2018年11月21日\t\t一、项目名称：甲工程\t\t四、谈判情况\t\t供应商名称\t\t\
                最终报价\t\t评审结果\t\t甲建设有限公司\t\t703,900.00\t\t中标供应商\t\t乙建设有限公司\t\t\
                725,600.00\t\t有效投标人\t\t五、成交供应商名称、地址和成交金额\t\t成交供应商名称： 甲建设有限公司\t\t\
                成交金额：703900 元。\t\t七、采购人和采购代理机构名称\t\t1、采购人名称： 某大学";
    let n = extract_text(text, false, "tabs.txt");
    assert_eq!(n.kind, NoticeKind::Award);
    assert_eq!(n.winners, ["甲建设有限公司"]);
    assert_eq!(n.amount, Some(703_900.0));
    assert_eq!(n.buyer.as_deref(), Some("某大学"));
    assert_eq!(n.published, Some(crate::model::Date::from_ymd_opt(2018, 11, 21).unwrap()));
    // A row of a tab-separated file is still a row.
    let row = "中标人\t甲建设有限公司\t中标价(元)\t502000.00";
    assert_eq!(extract_text(row, false, "row.txt").winners, ["甲建设有限公司"]);
}

#[test]
fn a_title_run_into_the_agent_before_shou() {
    // A page that lost its line ends: the title, the agent, a space, `受…的委托`.
    let text = "甲管理处2018年桥梁检测项目结果公告乙项目管理有限公司 受甲管理处的委托，对2018年桥梁检测项目进行公开招标，现将采购结果公告如下。\n二、项目标段结果信息标段号品目名称状态1 其他工程咨询管理服务 中标";
    let n = extract_text(text, false, "run.txt");
    assert_eq!(n.agency.as_deref(), Some("乙项目管理有限公司"));
    assert_eq!(n.buyer.as_deref(), Some("甲管理处"));
    assert_ne!(n.title.as_deref(), Some("二、项目标段结果信息标段号品目名称状态1 其他工程咨询管理服务 中标"));
}

#[test]
fn a_page_stored_as_markdown() {
    let text = "## 甲大学设备采购中标公告\n\
                2026年08月05日 15:57 来源： 【打印】\n\
                **一、项目编号**：GK-2026-62\n\
                | 供应商名称 | 中标金额(万元) |\n\
                |---|:---:|\n\
                | [乙电子有限公司](https://example.com/s/1) | 63.86 |\n\
                - 采购人：甲大学 ![印章](seal.png)";
    let n = extract_text(text, false, "page.md");
    assert_eq!(n.title.as_deref(), Some("甲大学设备采购中标公告"));
    assert_eq!(n.kind, NoticeKind::Award);
    assert_eq!(n.winners, ["乙电子有限公司"]);
    assert_eq!(n.amount, Some(638_600.0));
    assert_eq!(n.buyer.as_deref(), Some("甲大学"));
    assert_eq!(n.project_code.as_deref(), Some("GK-2026-62"));
    // Text that is no Markdown is read as it was.
    assert_eq!(layout::markdown_line("甲公司 *注：含税").0, "甲公司 *注：含税");
    // Brackets and then parentheses are a link only when what is in the parentheses is where
    // one goes: a title's own words stay.
    let title = "甲镇污水管网工程[乙村、丙村](第2次招标)中标结果公告";
    assert_eq!(layout::markdown_line(title).0, title);
    assert_eq!(layout::markdown_line("见[附件](/files/a.pdf)").0, "见附件");
}

#[test]
fn a_summary_table_that_lost_its_cells() {
    // ccgp's 公告概要 as a crawler's text: each label run into the value before it.
    let text = "甲理工大学设备采购中标公告\n采购单位甲理工大学行政区域辽宁省公告时间2026年08月05日 15:57总中标金额￥63.86 万元（人民币）";
    let n = extract_text(text, false, "summary.txt");
    assert_eq!(n.buyer.as_deref(), Some("甲理工大学"));
    assert_eq!(n.region.as_deref(), Some("辽宁省"));
    assert_eq!(n.published, Some(crate::model::Date::from_ymd_opt(2026, 8, 5).unwrap()));
}

#[test]
fn a_bare_title_a_slashed_label_and_a_voided_lot() {
    // The `<title>` says only the kind; the heading names the notice. The amount's header
    // writes the two results as alternatives (`中标/成交金额`).
    let page = |body: &str| {
        format!(
            "<html><head><title>中标结果公告</title></head><body>\
             <h1>甲市水务局2026年度泵站维修养护中标结果公告采购包2</h1><p>信息发布时间：2026-09-09</p>\
             <p>一、项目编号：JSZC-2026-0002</p>{body}<p>1.采购人信息</p><p>单位名称：甲市水务局</p></body></html>"
        )
    };
    let award = page(
        "<h2>三、中标（成交）信息</h2><table><tr><th>序号</th><th>供应商名称</th><th>供应商地址</th>\
         <th>评审总得分</th><th>中标/成交金额</th></tr><tr><td>1</td><td>乙建设工程有限公司</td>\
         <td>某路11号</td><td>81.84</td><td>1186000元</td></tr></table>",
    );
    let n = extract(award.as_bytes(), "award.html");
    assert_eq!(n.title.as_deref(), Some("甲市水务局2026年度泵站维修养护中标结果公告采购包2"));
    assert_eq!(n.kind, NoticeKind::Award);
    assert_eq!(n.winners, ["乙建设工程有限公司"]);
    assert_eq!(n.amount, Some(1_186_000.0));
    assert_eq!(n.buyer.as_deref(), Some("甲市水务局"));
    // The same result page for a lot that failed names no winner: the procurement ended.
    let voided = page("<p>采购包2 此采购包已作废</p>");
    assert_eq!(extract(voided.as_bytes(), "void.html").kind, NoticeKind::Termination);
    // A result that only reports on failed lots (`流废标情况说明：无`) is still a result.
    let none_failed = page(
        "<h2>三、中标（成交）信息</h2><p>中标供应商：乙建设工程有限公司</p><p>五、流废标情况说明：无</p>",
    );
    assert_eq!(extract(none_failed.as_bytes(), "none.html").kind, NoticeKind::Award);
}

#[test]
fn a_candidate_table_laid_out_sideways() {
    let html = "<html><head><title>某道路改造工程施工中标候选人公示</title></head><body>\
        <p>招标人：某市城市建设投资有限公司</p><table>\
        <tr><td>中标候选人排序</td><td>第一中标候选人</td><td>第二中标候选人</td><td>第三中标候选人</td></tr>\
        <tr><td>单位名称</td><td>甲建设集团有限公司</td><td>乙路桥工程有限公司</td><td>丙市政工程有限公司</td></tr>\
        <tr><td>投标报价（元）</td><td>12,345,678.00</td><td>12,400,000.00</td><td>12,500,000.00</td></tr>\
        </table></body></html>";
    let n = extract(html.as_bytes(), "sideways.html");
    assert_eq!(n.kind, NoticeKind::Candidate);
    assert_eq!(n.candidate.as_deref(), Some("甲建设集团有限公司"));
    assert!(n.winners.is_empty() && n.amount.is_none(), "a candidate list awards nothing");
    // A table of lots side by side is no candidate ranking.
    let lots = "<html><head><title>甲项目中标结果公告</title></head><body><table>\
        <tr><td>标段</td><td>一标段</td><td>二标段</td></tr>\
        <tr><td>中标人</td><td>甲建设集团有限公司</td><td>乙路桥工程有限公司</td></tr></table></body></html>";
    assert_eq!(extract(lots.as_bytes(), "lots.html").candidate, None);
}

#[test]
fn a_crawlers_text_of_a_result_table_and_its_parties() {
    // A crawler's text of a Hunan result page: no line ends, the HTML's indentation as tabs,
    // the items table as its header cells and then the cells of its rows (the last column,
    // 售后要求, blank in every row and so lost).
    let t = |n: usize| "\t".repeat(n);
    let text = format!(
        "甲法院A4纸采购项目的协议供货成交公告{}公告时间：2018年11月20日{}一、采购编号：{}湘财采计[2018]012509号{}\
         二、成交结果：{}成交供应商：乙文化有限责任公司{}品目名称{}数量{}成交金额(元){}单位{}售后要求{}\
         A4纸{}480{}12,000.00{}包{}墨盒{}2{}860.00{}个{}三、投诉与质疑{}采购人：甲法院",
        t(8), t(8), t(4), t(8), t(9), t(35), t(9), t(9), t(9), t(9), t(35),
        t(10), t(10), t(10), t(40), t(10), t(10), t(10), t(43), t(4),
    );
    let n = extract_text(&text, false, "hunan.txt");
    assert_eq!(n.winners, ["乙文化有限责任公司"]);
    assert_eq!(n.amount, Some(12_860.0), "the items' amounts, {n:?}");
    assert_eq!(n.buyer.as_deref(), Some("甲法院"));

    // The title in three lines (buyer, project, kind); a winner's label run into its name at
    // the end of a line; a page's buttons and a telephone number are no party.
    let text = format!(
        "甲市轻工技工学校{}新校区监控系统采购及安装{}公开招标中标公告{}公告日期：2018年11月20日{}\
         四、中标供应商供货明细{}中标供应商丙科技发展有限公司{}联系人：张三{}采购人名称：{}[打印本页]{}\
         质疑联系电话 招标机构：0731-5991108 投诉",
        t(6),
        t(6),
        t(4),
        t(3),
        t(3),
        t(9),
        t(10),
        t(3),
        t(3),
    );
    let n = extract_text(&text, false, "hunan2.txt");
    assert_eq!(n.title.as_deref(), Some("甲市轻工技工学校新校区监控系统采购及安装公开招标中标公告"));
    assert_eq!(n.winners, ["丙科技发展有限公司"]);
    assert_eq!(n.buyer, None, "{n:?}");
    assert_eq!(n.agency, None, "{n:?}");

    // A ranked table of bids: the first-ranked bid, not their sum.
    let text = format!(
        "甲中心设备采购公开招标中标公告{}公告日期：2018年11月20日{}三、供应商投标情况{}供应商信息{}报价{}评分{}推荐排名{}\
         乙科技有限公司{}1,798,196.00{}97.45{}1{}丙科技有限公司{}1,828,000.00{}63.51{}2{}四、中标供应商{}\
         中标供应商乙科技有限公司{}联系人：李四{}采购人：甲中心",
        t(4), t(3), t(5), t(10), t(10), t(10), t(30), t(10), t(10), t(10), t(30), t(10), t(10), t(10), t(20), t(9), t(9), t(3),
    );
    let n = extract_text(&text, false, "ranked.txt");
    assert_eq!(n.winners, ["乙科技有限公司"]);
    assert_eq!(n.amount, Some(1_798_196.0), "{n:?}");

    // A title that lost the line end after it.
    let line = "标段信息 标段编号 预算金额(元)投标供应商名称1 软件采购 竞争性谈判279000 甲科技有限公司,乙科技有限公司 \
                丙市公安局某平台软件采购结果公告丙市公安局的某平台软件采购项目于结束，现将成交结果公告如下。";
    assert_eq!(
        extract_text(line, false, "run.txt").title.as_deref(),
        Some("丙市公安局某平台软件采购结果公告")
    );

    // A publicity of ranked candidates under a result's title is a candidate list; a page that
    // calls itself the result stays one.
    let ranked = "甲体育公园项目施工中标公示 招标人 乙投资控股集团有限公司 中标单位名称 \
                  第一中标候选人：丙建设集团有限公司 第二中标候选人：丁建设有限公司";
    assert_eq!(extract_text(ranked, false, "ranked.txt").kind, NoticeKind::Candidate);
    let result = ranked.replace("中标公示", "中标结果公示");
    assert_eq!(extract_text(&result, false, "result.txt").kind, NoticeKind::Award);

    // Contacts run together: each name ends where the next party's label starts.
    let line =
        "七、联系方式：采购人名称：丁市公安局采购代理机构名称：戊工程咨询有限责任公司电话：0731-85892066";
    let n = extract_text(line, false, "contacts.txt");
    assert_eq!(n.buyer.as_deref(), Some("丁市公安局"));
    assert_eq!(n.agency.as_deref(), Some("戊工程咨询有限责任公司"));
}

#[test]
fn a_data_providers_flattened_record() {
    // A record as a data provider's API returns it: its own fields, then the notice with its
    // sections run together on one line, the parties' sections long, the sign-off at the end.
    let text = "中标（成交）结果公告 采购项目编号： GK-2023-017 中标（成交）供应商名称： 甲科技有限公司 \
                中标（成交）价格： 121.5 价格单位： 万元 公告内容： 一、项目编号 GK-2023-017 \
                四、中标（成交）信息 包1： 供应商名称：甲科技有限公司 供应商地址：某市某路1号 中标（成交）金额：¥121.5万元 \
                十一、凡对本次公告内容提出询问，请按以下方式联系 1、采购人信息 名 称：某镇中心学校 地 址：某镇某村 \
                联系方式：13986403924 2、采购代理机构信息 名 称：乙建设工程造价咨询有限责任公司 地 址：某市某路2号 \
                联系方式：13554455605 3、项目联系方式： 项目联系人： 张三 电 话： 13554455605 乙建设工程造价咨询有限责任公司 2023-09-06";
    let n = extract_text(text, false, "record.txt");
    assert_eq!(n.winners, ["甲科技有限公司"]);
    assert_eq!(n.amount, Some(1_215_000.0), "121.5 beside 121.5万元 is in 万元");
    assert_eq!(n.buyer.as_deref(), Some("某镇中心学校"));
    assert_eq!(n.agency.as_deref(), Some("乙建设工程造价咨询有限责任公司"));
    assert_eq!(n.published, Some(crate::model::Date::from_ymd_opt(2023, 9, 6).unwrap()));

    // The sign-off dated as a sign-off line may be (`2023年9月6号`).
    let n = extract_text(&text.replace("2023-09-06", "2023年9月6号"), false, "record.txt");
    assert_eq!(n.published, Some(crate::model::Date::from_ymd_opt(2023, 9, 6).unwrap()));

    // Sections that follow the end of a sentence with no space.
    let text = "某项目中标结果公告 凡对本次采购提出询问，请按以下方式联系。1.采购人信息 名 称：某日报传媒有限责任公司 \
                地 址：某市某区。2.采购代理机构信息 名 称：丙招标有限公司 地 址：某市某区。";
    let n = extract_text(text, false, "sentences.txt");
    assert_eq!(n.buyer.as_deref(), Some("某日报传媒有限责任公司"));
    assert_eq!(n.agency.as_deref(), Some("丙招标有限公司"));
}

#[test]
fn words_spaced_out_to_fill_a_cell_are_joined() {
    let join = super::layout::join_spaced_out;
    assert_eq!(
        join("拟 中 标 人 甲公司 中标金额 (万元) 3044".into()),
        "拟中标人 甲公司 中标金额 (万元) 3044"
    );
    assert_eq!(join("招 标 人".into()), "招标人");
    assert_eq!(
        join("联系人 张 三 电话".into()),
        "联系人 张 三 电话",
        "two lone characters are a name, not a word"
    );
    assert_eq!(join("一 标 段 中 标 人：甲公司".into()), "一标段中标人：甲公司");
    assert_eq!(join("A B C".into()), "A B C");
}

/// A ranked table of bidders (`排名 | 投标人 | 投标报价(元)`): its first-ranked bidder is the
/// candidate (or the winner), never every bidder; and the same table with its rows become lines
/// of cells parted by spaces.
#[test]
fn bidders_ranked_in_a_table_or_in_lines() {
    let table = "<table><tr><td>排名</td><td>投标人</td><td>投标报价(元)</td><td>工期</td><td>得分</td></tr>\
                 <tr><td>第2名</td><td>中国建筑第五工程局有限公司</td><td>71890000.00</td><td>365</td><td>93.40</td></tr>\
                 <tr><td>第1名</td><td>中铁十一局集团有限公司</td><td>71558384.20</td><td>365</td><td>95.12</td></tr></table>";
    let lines = "<p>排名 投标人 投标报价(元) 工期 得分</p>\
                 <p>第2名 中国建筑第五工程局有限公司 71890000.00 365 93.40</p>\
                 <p>第1名 中铁十一局集团有限公司 71558384.20 365 95.12</p>";
    for body in [table, lines] {
        let n =
            html(&format!("<h1>某污水处理厂提标改造工程中标候选人公示</h1><p>招标人：某市水务局</p>{body}"));
        assert_eq!(n.candidate.as_deref(), Some("中铁十一局集团有限公司"), "{body}");
        assert!(n.winners.is_empty());
        let n =
            html(&format!("<h1>某污水处理厂提标改造工程评标结果公告</h1><p>招标人：某市水务局</p>{body}"));
        assert_eq!(n.winners, vec!["中铁十一局集团有限公司".to_string()], "{body}");
        assert_eq!(n.amount, Some(71_558_384.2));
    }
    // Lines of as many words that are no table: a figure in one line where the other has words.
    let rows = &mut Vec::new();
    let text = vec![
        "排名 投标人 投标报价(元)".to_string(),
        "第1名 甲公司 100".to_string(),
        "第2名 乙公司 待定".to_string(),
    ];
    assert_eq!(super::layout::unflatten(text.clone(), rows), text);
    assert!(rows.is_empty());
}

/// The unit a page states once for its amounts (`金额单位：万元` above the table) applies to
/// the amounts whose labels give none; a page stating two units states none.
#[test]
fn a_unit_stated_above_the_table() {
    let table = "<table><tr><td>序号</td><td>供应商名称</td><td>供应商地址</td><td>中标金额</td></tr>\
                 <tr><td>1</td><td>上海联影医疗科技股份有限公司</td><td>上海市嘉定区城北路2258号</td><td>386.5</td></tr></table>";
    let page = |before: &str| {
        html(&format!(
            "<h1>某医院医疗设备采购项目中标结果公告</h1><p>采购单位：元谋县人民医院</p>{before}{table}"
        ))
    };
    assert_eq!(page("<p>金额单位：万元</p>").amount, Some(3_865_000.0));
    assert_eq!(page("<p>三、中标信息（单位：人民币万元）</p>").amount, Some(3_865_000.0));
    assert_eq!(page("").amount, Some(386.5), "no unit stated: the figure as it stands");
    assert_eq!(page("<p>预算单位：元</p><p>金额单位：万元</p>").amount, Some(386.5));
}

/// A result told in a paragraph, the winner named before its role (`确定甲为中标人`), the code
/// inside the bracket it sits in, and the date in the site's bar under the title.
#[test]
fn a_winner_named_before_its_role() {
    let page = |title: &str| {
        html(&format!(
            "<div class='news_title'>某区智慧社区平台建设项目{title}</div>\
             <div class='news_date'>2025年07月21日 来源：区公共资源交易中心</div>\
             <p>某区智慧社区平台建设项目（项目编号：QZ-2025-GK-017）于2025年7月18日开标，经评标委员会评审，\
             确定浙江大华技术股份有限公司为中标人，中标价为人民币贰佰叁拾捌万陆仟元（￥2,386,000.00），工期90日历天。</p>\
             <p>采购人：某区大数据发展管理局</p><p>公示期为2025年7月22日至2025年7月24日。</p>"
        ))
    };
    let n = page("中标结果公告");
    assert_eq!(n.winners, vec!["浙江大华技术股份有限公司".to_string()]);
    assert_eq!(n.amount, Some(2_386_000.0));
    assert_eq!(n.project_code.as_deref(), Some("QZ-2025-GK-017"));
    assert_eq!(n.published.map(|d| d.to_string()).as_deref(), Some("2025-07-21"));
    let n = page("评标结果公示");
    assert_eq!(n.candidate.as_deref(), Some("浙江大华技术股份有限公司"));
    // A bracket within the name is the name's.
    let n = html("<h1>某项目中标结果公告</h1><p>经评审，确定世纪杰皓（湖北）项目管理有限公司为中标人，中标价为12万元。</p>");
    assert_eq!(n.winners, vec!["世纪杰皓（湖北）项目管理有限公司".to_string()]);
    // Before `为` stands no organisation: nothing is named.
    let n =
        html("<h1>某项目中标结果公告</h1><p>经评标委员会评审，本项目确定为中标人空缺，重新组织采购。</p>");
    assert!(n.winners.is_empty(), "{n:?}");
}

/// A PDF's text or a narrow cell wraps a name mid-word: the piece on the next line completes it.
#[test]
fn names_wrapped_onto_the_next_line() {
    let text =
        "某市体育中心改造工程\n中标结果公告\n招标人：某市体育局\n招标代理机构：某市建设工程咨询\n有限公司\n\
                中标人：中国建筑第八工程局有\n限公司\n中标价：8,765,432.10元\n2025年9月1日\n";
    let n = extract(text.as_bytes(), "n.txt");
    assert_eq!(n.winners, vec!["中国建筑第八工程局有限公司".to_string()]);
    assert_eq!(n.agency.as_deref(), Some("某市建设工程咨询有限公司"));
    assert_eq!(n.buyer.as_deref(), Some("某市体育局"));
    let lines =
        |text: &[&str]| super::layout::join_wrapped_names(text.iter().map(|l| l.to_string()).collect());
    // A name on a line of its own stays there, and so does a line after a complete name.
    assert_eq!(lines(&["联系人：张三", "乙咨询有限公司"]).len(), 2);
    assert_eq!(lines(&["采购人：某市体育局", "有限公司"]).len(), 2);
    assert_eq!(lines(&["项目名称：某体育中心改造", "工程"]).len(), 2);
    // A crawler's text broken at each of Word's spans: a province (no one's name), then two
    // pieces that together complete it; pieces that complete nothing stay lines.
    assert_eq!(
        lines(&["采购代理机构名称：湖南", "三湘工程", "管理有限公司", "地址："]),
        ["采购代理机构名称：湖南三湘工程管理有限公司", "地址："]
    );
    assert_eq!(lines(&["采购代理机构名称：湖南", "三湘工程", "地址："]).len(), 3);
    assert!(!super::values::is_person("湖南") && !super::values::is_person("长沙市"));
    assert!(super::values::is_person("丁忠清"));
}

/// A framework agreement names the suppliers admitted to it (入围), several at once.
#[test]
fn suppliers_admitted_to_a_framework() {
    let n = html(
        "<h2>某市法律服务定点采购项目入围结果公告</h2><p>采购人：某市司法局</p>\
                  <p>入围供应商：北京市金杜律师事务所、上海市锦天城律师事务所、北京德恒律师事务所</p>\
                  <p>入围价格：按收费标准下浮10%</p>",
    );
    assert_eq!(n.winners, ["北京市金杜律师事务所", "上海市锦天城律师事务所", "北京德恒律师事务所"]);
    assert_eq!(n.amount, None);
}

/// A party's code in a bracket after its name: the bracket's label takes the opening bracket,
/// which is no part of the name.
#[test]
fn a_code_in_a_bracket_after_the_name() {
    let n = html(
        "<h2>某县农村饮水安全巩固提升工程中标公告</h2>\
                  <p>招标人：某县水利局（统一社会信用代码：11421100MB1234567X）</p>\
                  <p>中标人：湖北某某水利水电工程有限公司（统一社会信用代码：91420100MA4K12345T）</p>\
                  <p>中标价（元）：356.8万元</p>",
    );
    assert_eq!(n.buyer.as_deref(), Some("某县水利局"));
    assert_eq!(n.winners, vec!["湖北某某水利水电工程有限公司".to_string()]);
    assert_eq!(n.amount, Some(3_568_000.0));
}

/// A contract notice (合同公告) names its parties as the contract does.
#[test]
fn a_contracts_parties() {
    let n = html("<h3>某市第三中学空调采购项目合同公告</h3><p>三、项目编号：ZFCG-2025-1123</p><p>五、合同主体</p>\
                  <p>采购人（甲方）：某市第三中学</p><p>供应商（乙方）：珠海格力电器股份有限公司</p>\
                  <p>合同金额：826,500.00元</p><p>七、合同签订日期：2025-10-28</p><p>八、合同公告日期：2025-10-30</p>");
    assert_eq!(n.buyer.as_deref(), Some("某市第三中学"));
    assert_eq!(n.winners, vec!["珠海格力电器股份有限公司".to_string()]);
    assert_eq!(n.amount, Some(826_500.0));
    assert_eq!(n.published.map(|d| d.to_string()).as_deref(), Some("2025-10-30"));
}

#[test]
fn a_role_in_brackets_after_the_name_it_asks_for() {
    // A county's form: the blanks filled in, each followed by what it asks for.
    let n = html(
        "<p><strong>甲市乙处公厕改造工程</strong></p><p><strong>竞争性磋商成交结果公告</strong></p>\
         <p><span>甲市环境卫生管理处</span><span>（采购人）的</span><span>公厕改造工程</span>\
         <span>（采购项目名称）竞争性磋商项目于2018年10月29日（日期）在甲市公共资源交易中心组织评审结束，\
         现将成交结果公告如下：</span></p><p>一、项目名称：甲市环境卫生管理处公厕改造工程</p>",
    );
    assert_eq!(n.buyer.as_deref(), Some("甲市环境卫生管理处"));
    // The project's heading and the bare kind under it are the title together.
    assert_eq!(n.title.as_deref(), Some("甲市乙处公厕改造工程竞争性磋商成交结果公告"));
    assert_eq!(n.kind, NoticeKind::Award);
    // What the brackets hold must be a role, and what comes before them a name.
    let other = html("<p>丙项目中标公告</p><p>本项目（采购项目名称）由丁公司（供应商）承接。</p>");
    assert_eq!(other.buyer, None);
}

#[test]
fn a_method_before_a_kind_names_no_notice() {
    for bare in ["竞争性磋商成交结果公告", "单一来源采购成交结果公告", "公开招标中标公告", "中 标 公 示"]
    {
        assert!(is_bare_kind(bare), "{bare}");
    }
    for named in ["甲市乙处公厕改造工程竞争性磋商成交结果公告", "竞争性磋商甲县医院设备采购成交结果公告"]
    {
        assert!(!is_bare_kind(named), "{named}");
    }
}

#[test]
fn a_page_flattened_into_one_line_keeps_its_title_and_labels() {
    // A crawler's text of a whole page: every line end a space, the footer's links at the end.
    let text =
        "五峰县传统村落保护项目（一期）监理中标结果公告 五峰县传统村落保护项目（一期）监理中标结果公告 \
                发布日期：2025-03-24 来源：宜昌市公共资源交易中心 招标人: 五峰长达建设工程有限责任公司 \
                标段(包)名称: 五峰县传统村落保护项目（一期）监理 中标人: 建韵工程咨询有限公司 \
                中标价(元): 4658773.00 【打印】 【关闭】";
    let n = extract(text.as_bytes(), "flat.txt");
    // A title may start with a place written with a numeral (五峰, 三峡, 十堰); the footer's
    // words do not make the whole page a line of furniture.
    assert_eq!(n.title.as_deref(), Some("五峰县传统村落保护项目（一期）监理中标结果公告"));
    assert_eq!(n.kind, NoticeKind::Award);
    // `…监理 中标人:`: a whole label takes no word of the value before it.
    assert_eq!(n.winners, ["建韵工程咨询有限公司"]);
    assert_eq!(n.amount, Some(4658773.0));
    assert_eq!(n.buyer.as_deref(), Some("五峰长达建设工程有限责任公司"));
    // A section's number is still no title's first word.
    assert!(!is_title_like("三、中标信息及其他事项"));
    assert!(is_title_like("三峡库区柑橘产业灌区中标结果公告"));
    // A spaced-out label is still read whole.
    let spaced = html("<p>乙项目中标公告</p><p>采 购 人：丙市第一中学</p><p>中标人：丁有限公司</p>");
    assert_eq!(spaced.buyer.as_deref(), Some("丙市第一中学"));
}

#[test]
fn a_text_whose_every_cell_is_a_line() {
    // What a crawler's `get_text("\n")` makes of a result table: the headings, then the cells
    // of each row, one per line.
    let text =
        "甲县体育中心维修改造工程的中标(成交)结果公告\n一、项目编号：CX-2021-01\n三、中标（成交）信息\n\
                1.中标结果：\n序号\n中标（成交）金额(元)\n中标供应商名称\n中标供应商地址\n1\n\
                最终报价:1728800.00(元)\n浙江长兴市政建设有限公司\n浙江省湖州市长兴县画溪街道城南路1号\n\
                2.废标结果:\n序号\n标项名称\n废标理由\n/\n/\n/\n";
    let n = extract(text.as_bytes(), "cells.txt");
    assert_eq!(n.winners, ["浙江长兴市政建设有限公司"]);
    assert_eq!(n.amount, Some(1728800.0));
    let text = "乙学院新生运动服采购成交公告\n4、成交结果：\n包号\n成交供应商名称\n成交金额(元)\n001\n\
                丹东市滨江服装厂\n269100.00\n5、竞争性磋商小组成员名单：\n姜云翠; 陈菁\n";
    let n = extract(text.as_bytes(), "cells.txt");
    assert_eq!(n.winners, ["丹东市滨江服装厂"]);
    assert_eq!(n.amount, Some(269100.0));
}

#[test]
fn the_sites_name_leaves_the_title_and_nothing_else_does() {
    let clean = |t: &str| clean_page_title(t);
    assert_eq!(
        clean("金亚·天麓项目主体工程中标结果公告_宜昌市公共资源交易网").as_deref(),
        Some("金亚·天麓项目主体工程中标结果公告")
    );
    assert_eq!(clean("青海省招标投标网 · 甲项目中标公告").as_deref(), Some("甲项目中标公告"));
    assert_eq!(clean("乙局·丙中心设备采购公告 | 某市政府采购网").as_deref(), Some("乙局·丙中心设备采购公告"));
    assert_eq!(clean("丁工程招标公告").as_deref(), Some("丁工程招标公告"));
    assert_eq!(clean("某某市公共资源交易网"), None);
}

#[test]
fn a_list_of_links_to_other_notices_is_no_part_of_this_one() {
    // A portal's sidebar of related notices (each a link and its date) before a notice that
    // has no title of its own: the list gives neither title, kind nor code.
    let n = html(
        "<div class='side'><h3>相关公告</h3><ul>\
         <li><a href='/1.html'>甲区道路改造工程终止公告</a><span>2024-01-10</span></li>\
         <li><a href='/2.html'>乙县医院设备采购项目（项目编号：CLPSP16ZH04ZC25）中标候选人公示</a></li>\
         </ul></div><div class='main'><p>一、项目编号：GXZC2021-001</p><p>三、中标（成交）信息</p>\
         <p>供应商名称：丙科技有限公司</p><p>中标（成交）金额：12.5（万元）</p>\
         <p>采购人信息 名称：丁市第一中学</p></div>",
    );
    assert_eq!(n.kind, NoticeKind::Award);
    assert_eq!(n.title, None);
    assert_eq!(n.project_code.as_deref(), Some("GXZC2021-001"));
    assert_eq!(n.winners, ["丙科技有限公司"]);
    assert_eq!(n.amount, Some(125000.0));
    // A list item with text of its own is kept, and so is a company linked to its profile.
    let item = html("<p>甲项目中标公告</p><ul><li>中标人：<a href='/c'>戊建设有限公司</a></li></ul>");
    assert_eq!(item.winners, ["戊建设有限公司"]);
    let profile =
        html("<p>己项目中标公告</p><p>中标人：</p><ul><li><a href='/c/9'>庚建设有限公司</a></li></ul>");
    assert_eq!(profile.winners, ["庚建设有限公司"]);
}

#[test]
fn the_rows_under_a_header_end_where_its_table_does() {
    // Two tables of the same width, one under the other: the second's rows (staff and their
    // certificates) are no more winners and bids under the first's header.
    let n = html(
        "<p>甲工程中标结果公告</p>\
         <table><tr><th>招标人</th><th>中标人</th><th>中标价(元)</th></tr>\
         <tr><td>乙水务有限公司</td><td>丙建设工程有限公司</td><td>20797381.58</td></tr></table>\
         <table><tr><th>项目经理</th><th>技术负责人</th><th>注册证书</th></tr>\
         <tr><td>丁某</td><td>戊某</td><td>鄂242151649845</td></tr></table>",
    );
    assert_eq!(n.winners, ["丙建设工程有限公司"]);
    assert_eq!(n.amount, Some(20797381.58));
}

#[test]
fn a_crawlers_text_that_starts_with_the_pages_title() {
    // The `<title>` with the site's name after it, then the page's lines.
    let text = "甲学院电脑采购项目成交通告- 【乙采购平台】\n首页\n甲学院电脑采购项目成交通告\n\
                发布时间：2011-09-16\n成交供应商名称：丙科技有限公司\n成交金额：人民币14150元";
    let n = extract_text(text, false, "page.txt");
    assert_eq!(n.title.as_deref(), Some("甲学院电脑采购项目成交通告"));
    assert_eq!(n.kind, NoticeKind::Award);
    // A code in the title's brackets leaves it a title; a colon outside them does not.
    let text = "甲局2016年乙项目（C包）采购项目（项目编号：CLP16ZC25）的中标公告\n公告时间：2016年11月14日\n\
                中标供应商名称：丙公司";
    let n = extract_text(text, false, "page.txt");
    assert_eq!(n.title.as_deref(), Some("甲局2016年乙项目（C包）采购项目（项目编号：CLP16ZC25）的中标公告"));
    assert_eq!(n.kind, NoticeKind::Award);
    let text = "【信息时间：\n2021/4/30\n】\n甲项目中标结果公告\n中标人：丙公司";
    assert_eq!(extract_text(text, false, "page.txt").title.as_deref(), Some("甲项目中标结果公告"));
}

#[test]
fn a_text_of_every_string_on_its_own_line() {
    // `get_text("\n")`: a spaced-out label's halves on two lines, a table's cells one a line
    // with the project's cell spanning down over the candidates, a pronoun for the buyer.
    let text = "甲工程公开招标中标公告\n二、中标结果\n中标项目\n中标候选人名称\n综合打分\n最终报价\n推荐排名\n\
                甲工程\n乙通讯技术有限公司\n72.92\n1908801.00\n1\n丙电子科技有限公司\n58.29\n1916802.00\n2\n\
                丁科技有限公司\n54.64\n1914503.00\n3\n注：排位在第一的中标候选人为中标单位\n\
                如有异议，可向采购人或受其委托的采购代理机构提出质疑。\n1.采购人信息\n名\n称：戊县城市管理局\n地\n址：戊县";
    let n = extract_text(text, false, "page.txt");
    assert_eq!(n.buyer.as_deref(), Some("戊县城市管理局"));
    assert_eq!(n.winners, ["乙通讯技术有限公司"]);
    assert_eq!(n.amount, Some(1_908_801.0));
    // A table whose blank cells vanished: its last heading is no label of the first row's
    // number (`中标金额(万元)` / `1` is not 1万元).
    let text = "甲项目中标公告\n五、中标信息\n总中标金额：0.0 万元（人民币）\n中标供应商名称、联系地址及中标金额：\n\
                序号\n中标供应商名称\n中标供应商联系地址\n中标金额(万元)\n1\n乙设计有限公司\n0.000000\n\
                2\n丙设计有限公司\n0.000000\n本项目招标代理费总金额：0.0 万元（人民币）";
    assert_eq!(extract_text(text, false, "page.txt").amount, None);
    // Word's spans: a list item's number (`2.`) and a house number's digits (`118` / `号`) on
    // lines of their own, inside and after a result table a cell a line.
    let text = "甲项目的中标(成交)结果公告\n三、中标（成交）信息\n1.\n中标结果：\n序号\n中标（成交）金额(元)\n\
                中标供应商名称\n中标供应商地址\n1\n最终报价:425800(元)\n乙科技有限公司\n里商乡向阳村\n118\n号\n\
                2.\n废标结果\n:\n序号\n标项名称\n废标理由";
    let n = extract_text(text, false, "page.txt");
    assert_eq!(n.winners, ["乙科技有限公司"]);
    assert_eq!(n.amount, Some(425_800.0));
    // A document's number cut before its year in brackets.
    let text = "甲县显示屏工程公开招标中标公告\n政府采购编号：靖财采计\n[2017]01059号\n委托代理编号：\nHNSXJZ2017-1004";
    assert_eq!(extract_text(text, false, "page.txt").project_code.as_deref(), Some("靖财采计[2017]01059号"));
}

#[test]
fn a_sentence_cut_into_a_line_per_span() {
    // `get_text("\n")` of a page whose markup cut its sentences (Word's HTML): the pieces go
    // together again, a label on the line after a figure stays a label.
    let text = "浙江甲咨询有限公司关于\n2021\n年乙局设备采购项目的中标\n(\n成交\n)\n结果公告\n\
                一、项目名称：\n2021\n年乙局设备采购项目\n招标部分估算价\n75\n万元\n\
                采购人：乙局\n传真：0577-1234567\n日期：2021年6月1日";
    let n = extract_text(text, false, "page.txt");
    assert_eq!(n.title.as_deref(), Some("浙江甲咨询有限公司关于2021年乙局设备采购项目的中标(成交)结果公告"));
    assert_eq!(n.kind, NoticeKind::Award);
    assert_eq!(n.budget, Some(750_000.0));
    assert_eq!(n.published, Some(crate::model::Date::from_ymd_opt(2021, 6, 1).unwrap()));
    // A heading whose noun is a span of its own.
    let n = extract_text(
        "竞争性谈判\n公告\n我部就以下项目进行国内竞争性谈判采购。\n一、项目名称：甲改造",
        false,
        "page.txt",
    );
    assert_eq!(n.title.as_deref(), Some("竞争性谈判公告"));
    assert_eq!(n.kind, NoticeKind::Tender);
}

#[test]
fn labels_and_values_a_line_each() {
    // A summary table as `get_text("\n")` gives it: a label line, its value the next.
    let text = "公告概要：\n采购项目名称\n甲设备采购\n公告时间\n2019年01月04日 17:55\n本项目招标公告日期\n\
                2018年12月26日\n甲中心受乙医院委托，现就本次谈判的成交结果公告如下：\n成交供应商名称：\n丙商贸有限公司\n\
                成交金额：\n人民币\n叁拾捌万玖仟陆佰元整（\n¥389600.00）";
    let n = extract_text(text, false, "page.txt");
    assert_eq!(n.title, None);
    assert_eq!(n.kind, NoticeKind::Award);
    assert_eq!(n.published, Some(crate::model::Date::from_ymd_opt(2019, 1, 4).unwrap()));
    assert_eq!(n.winners, ["丙商贸有限公司"]);
    assert_eq!(n.amount, Some(389_600.0));
    // The sign-off's date under contacts given a line each (`传真：` / `022-82116815`).
    let text = "施工招标公告\n招标人为甲园区管理有限公司。\n招标代理机构：\n乙项目管理有限公司\n传真：\n022-82116815\n\
                日期：2025年11月26日\n违法违规举报：\n招标人应当对其提供的招标公告的真实性负责。";
    let n = extract_text(text, false, "page.txt");
    assert_eq!(n.published, Some(crate::model::Date::from_ymd_opt(2025, 11, 26).unwrap()));
    // A title that names the tender over a body that states, a line each, who won and for how
    // much: the result.
    let text =
        "甲电脑采购公告\n发布时间：2011-09-28\n成交供应商名称:\n乙电子有限公司\n成交金额：\n人民币\n3850\n元";
    let n = extract_text(text, false, "page.txt");
    assert_eq!(n.kind, NoticeKind::Award);
    assert_eq!(n.winners, ["乙电子有限公司"]);
    assert_eq!(n.amount, Some(3850.0));
    // A value that says how its figure is written (`大写：`) is still the label's above.
    let text = "甲工程中标结果公示\n中标人\n乙建设集团有限公司\n中标价\n大写：贰仟零伍拾万元整\n下浮率\n3.5%";
    assert_eq!(extract_text(text, false, "page.txt").amount, Some(20_500_000.0));
}

#[test]
fn a_page_whose_source_lines_a_crawler_kept() {
    // Word's HTML wraps its source lines mid-word, and `get_text("\n")` keeps them: a word
    // across a line's end joins the lines; a spaced-out label under a heading does not.
    let text = "甲项目中标结果公示\n国采（乙省）招标有\n限公司受丙省环境监察总队委\n托，就甲项目进行公开招标，现公示如下：\n\
                中标人：丁科技有限公司\n采购人\n名称：戊医学考试中心\n己市环境卫生管理处\n（采购人）的庚工程\n\
                工程信息发布表\n项 目 编 号\nNH20210622002\n己市环境卫生管理处\n2021年4月\n28\n日";
    let n = extract_text(text, false, "page.txt");
    assert_eq!(n.agency.as_deref(), Some("国采（乙省）招标有限公司"));
    let lines = layout::layout_text(text).lines;
    assert!(lines.contains(&"采购人名称：戊医学考试中心".to_string()), "{lines:?}");
    assert!(lines.contains(&"己市环境卫生管理处（采购人）的庚工程".to_string()), "{lines:?}");
    assert!(lines.contains(&"工程信息发布表".to_string()), "{lines:?}");
    assert!(lines.contains(&"2021年4月28日".to_string()), "{lines:?}");
    // A form's blanks, each filled in on a line of its own.
    let text = "甲项目征求意见公告
乙工程管理咨询有限公司
受
丙县教育局
委托，就
甲项目
进行招标。";
    let n = extract_text(text, false, "page.txt");
    assert_eq!(n.buyer.as_deref(), Some("丙县教育局"));
    assert_eq!(n.agency.as_deref(), Some("乙工程管理咨询有限公司"));
}

#[test]
fn a_flattened_page_starts_with_its_title_twice() {
    let text = "甲市星火等41座粮站提质升级项目EPC 工程总承包中标结果公告 甲市星火等41座粮站提质升级项目EPC 工程总承包中标结果公告 \
                发布日期：2025-06-12 来源：乙中心 招标人: 丙港务集团有限责任公司丁港 建设地点 戊市己镇 中标人: 庚建设有限公司";
    let n = extract_text(text, false, "flat.txt");
    assert_eq!(n.title.as_deref(), Some("甲市星火等41座粮站提质升级项目EPC 工程总承包中标结果公告"));
    // A label without its colon (a table's cell) ends the value before it.
    assert_eq!(n.buyer.as_deref(), Some("丙港务集团有限责任公司丁港"));
    assert_eq!(n.winners, ["庚建设有限公司"]);
    // The title run into the site's bar of date and clicks, on the page's first line.
    let text = "甲公司关于乙中心全民健身维修改造工程的中标(成交)结果公告 【信息时间： 2021/5/17 阅读次数： 164 】 【我要打印】 【关闭】                 一、项目编号：ZJ-2021-018";
    let n = extract_text(text, false, "flat.txt");
    assert_eq!(n.title.as_deref(), Some("甲公司关于乙中心全民健身维修改造工程的中标(成交)结果公告"));
    let text = "丙县人民医院文化东路地段营业用房招租 发布时间：2021-03-22 阅读次数：17 【打印】 根据有关规定，现将招租事项公告如下";
    assert_eq!(
        extract_text(text, false, "flat.txt").title.as_deref(),
        Some("丙县人民医院文化东路地段营业用房招租")
    );
    // The project, an aside, and a bare kind: the two lines of a heading, flattened.
    let text = "丁市人才公寓设计方案-施工图设计项目 (重新公告） 比选公告 项目编号：330502-1719-0583 项目单位：戊公司";
    let n = extract_text(text, false, "flat.txt");
    assert_eq!(n.title.as_deref(), Some("丁市人才公寓设计方案-施工图设计项目(重新公告）比选公告"));
    let text = "己街道绿化养护服务采购项目 预中标结果公示 公示日期：2021年6月30日 一．采购人名称：庚公司";
    let n = extract_text(text, false, "flat.txt");
    assert_eq!(n.title.as_deref(), Some("己街道绿化养护服务采购项目预中标结果公示"));
    assert_eq!(n.kind, NoticeKind::Candidate);
    // A result table flattened, its header starting with `序号` before the first label.
    let text = "甲中心维修改造工程的中标结果公告 一、项目编号：ZJ-2021-018 三、中标信息                 1.中标结果： 序号 中标金额(元) 中标供应商名称 中标供应商地址 1 1728800.00 乙市政建设有限公司 丙市城南路1号";
    let n = extract_text(text, false, "flat.txt");
    assert_eq!(n.winners, ["乙市政建设有限公司"]);
    assert_eq!(n.amount, Some(1_728_800.0));
    // Rows whose columns mix figures and names are no table's (a blank cell was lost).
    let text = "甲项目中标公告 序号 中标供应商名称 中标供应商联系地址 中标金额(万元)                 1 乙工程技术集团有限公司 0.000000 2 丙建筑设计院有限公司 0.000000 3 丁设计有限公司 0.000000                 4 戊设计有限公司 0.000000";
    assert_eq!(extract_text(text, false, "flat.txt").amount, None);
    // The `<title>` up to the site's name in brackets, then the site's furniture.
    let text = "交换机D-Link DES-1252 和路由器采购项目成交通告- 【甲易购】    true   首页 网站公告 \
                交换机D-Link DES-1252 和路由器采购项目成交通告 发布时间：2011-09-28 成交供应商名称：乙电子技术公司";
    let n = extract_text(text, false, "flat.txt");
    assert_eq!(n.title.as_deref(), Some("交换机D-Link DES-1252 和路由器采购项目成交通告"));
    // A heading that is a bare kind, run into the text; a signature that names its role.
    let text = "竞争性谈判公告 我部就以下项目进行国内竞争性谈判采购，欢迎符合条件的供应商参加谈判。 \
                一、项目名称：车场改造 二、项目编号：2024-JL-W3002 九、采购机构联系方式 联系人：马帅 \
                移动电话：17640025161 采购机构：丙招标有限公司 2024年11月01日";
    let n = extract_text(text, false, "flat.txt");
    assert_eq!(n.title.as_deref(), Some("竞争性谈判公告"));
    assert_eq!(n.kind, NoticeKind::Tender);
    assert_eq!(n.published, Some(crate::model::Date::from_ymd_opt(2024, 11, 1).unwrap()));
    // A title and the date under it; a generic heading, then the title.
    let text = "丁街道孵化园设备采购项目 2021-06-28 项目概况 丁街道孵化园设备采购项目的潜在投标人应在网上获取招标文件";
    let n = extract_text(text, false, "flat.txt");
    assert_eq!(n.title.as_deref(), Some("丁街道孵化园设备采购项目"));
    assert_eq!(n.published, Some(crate::model::Date::from_ymd_opt(2021, 6, 28).unwrap()));
    let text = "详细信息 戊市职业技术学院财务模块升级项目采购成交公告 戊市职业技术学院对财务模块升级项目进行了竞争性磋商，现将结果公告如下： \
                成交供应商名称：己科技有限公司 成交价格：柒万伍仟元整（75,000.00元） 戊市职业技术学院设备管理处 2019-7-12";
    let n = extract_text(text, false, "flat.txt");
    assert_eq!(n.title.as_deref(), Some("戊市职业技术学院财务模块升级项目采购成交公告"));
    assert_eq!(n.buyer.as_deref(), Some("戊市职业技术学院"));
}

#[test]
fn a_text_row_keeps_its_blank_cell_under_a_header_as_wide() {
    // A blank address under its heading: the row has the header's width with it. Runs of tabs
    // that pad a label from its value are no cells.
    let text = "甲项目中标公告\n中标供应商名称、联系地址及中标金额：\n序号 \t中标供应商名称 \t中标供应商联系地址 \t中标金额(万元)\n\
                1 \t乙设计有限公司 \t \t0.000000\n2 \t丙设计有限公司 \t \t0.000000\n项目所在区域\t\t\t丁市·戊县\t\t\t建筑面积";
    let n = extract_text(text, false, "page.txt");
    assert_eq!(n.winners, ["乙设计有限公司", "丙设计有限公司"]);
    assert_eq!(n.amount, None);
    assert_eq!(n.region.as_deref(), Some("丁市·戊县"));
}

#[test]
fn a_form_laid_out_as_rows_of_headings_over_their_values() {
    // A site that lays a form of label and value cells out as a row of its labels over a row
    // of their values, six to a table: one known label (`中标价格`) among long headings.
    let n = html(
        "<p>甲医院二期工程设计服务中标结果公告</p>\
         <table><tr><th>招标人</th><th>中标单位</th></tr><tr><td>甲医院</td><td>乙建筑设计研究院</td></tr></table>\
         <table><tr><th>中标价格</th><th>工 期</th><th>承诺完成质量</th><th>项目经理（负责人）</th>\
         <th>项目经理（负责人）资质证书及编号</th></tr>\
         <tr><td>1598.000000万元</td><td>90日</td><td>/</td><td>丙某</td><td>注册一级建筑师[983300299]</td></tr></table>\
         <table><tr><th>项目经理（负责人）联系电话</th><th>中标日期</th></tr>\
         <tr><td>17857691170</td><td>2021-05-13</td></tr></table>",
    );
    assert_eq!(n.amount, Some(15_980_000.0));
    // The award's date in a row beside a telephone number is no date under the title.
    assert_eq!(n.published, None);
}

#[test]
fn a_table_flattened_into_a_line_between_other_fields() {
    // A crawler's text with every line end a space: the result table's headings and row, with
    // the agency before it and the budget after it on the same line.
    let text = "甲医院设备采购项目成交结果公告 代理机构：乙招标有限公司 序号 成交供应商 成交金额（万元） \
                供应商地址 1 丙医疗器械有限公司 356.80 武汉市 采购预算：人民币400万元";
    let n = extract_text(text, false, "page.txt");
    assert_eq!(n.winners, ["丙医疗器械有限公司"]);
    assert_eq!(n.amount, Some(3_568_000.0));
    assert_eq!(n.agency.as_deref(), Some("乙招标有限公司"));
    // The project's cell spans its three candidates' rows; a note follows them.
    let text = "丁工程中标公告 二、中标结果 中标项目 中标候选人名称 综合打分 最终报价 推荐排名 丁工程 \
                戊通讯技术有限公司 72.92 1908801.00 1 己电子科技有限公司 58.29 1916802.00 2 \
                庚科技有限公司 54.64 1914503.00 3 注：排位在第一的中标候选人为中标单位";
    let n = extract_text(text, false, "page.txt");
    assert_eq!(n.winners, ["戊通讯技术有限公司"]);
    assert_eq!(n.amount, Some(1_908_801.0));
}

#[test]
fn a_table_a_cell_a_line_whose_rows_lost_a_blank_cell_in_the_middle() {
    // BeautifulSoup's get_text("\n") of a result table whose address column is blank in every
    // row: rows of three cells under four headings, the lost one the address, not the last;
    // the table ends at the next `key：value`, however long its key.
    let text =
        "某项目中标公告\n中标供应商名称、联系地址及中标金额：\n序号\n中标供应商名称\n中标供应商联系地址\n\
                中标金额(万元)\n1\n甲工程技术集团有限公司\n12.5\n2\n乙建筑设计院有限公司\n12.5\n\
                本项目招标代理费总金额：0.0 万元（人民币）";
    let n = extract_text(text, false, "page.txt");
    assert_eq!(n.winners, ["甲工程技术集团有限公司", "乙建筑设计院有限公司"]);
    assert_eq!(n.amount, Some(125_000.0));
}

#[test]
fn a_table_row_whose_cells_wrapped_onto_several_lines_of_text() {
    // A crawler's text of a trading site's form: the award row's cells hold line breaks, so
    // the row comes as three lines of two cells under five headings, the price's unit apart.
    let text = "甲路改造工程中标结果公示\n工程名称\t\t\t甲路改造工程\n\
                标段名称\t\t\t中标单位\t\t\t中标价\t\t\t中标范围和内容\t\t\t项目经理\n\
                施工\t\t\t乙建设有限公司\n160.264600\t\t\t万元\n城市道路;\t\t\t丙某浙233161607458\n\
                公告开始时间\t\t\t2021年06月23日";
    let n = extract_text(text, false, "page.txt");
    assert_eq!(n.winners, ["乙建设有限公司"]);
    assert_eq!(n.amount, Some(1_602_646.0));
}

#[test]
fn a_form_a_cell_a_line_whose_award_table_has_a_caption_and_a_unit_apart() {
    // BeautifulSoup's get_text("\n") of the same form: the table's caption repeats a heading
    // (`中标单位` over `标段名称 | 中标单位 | …`), and the price's unit is a line of its own.
    let text = "甲路改造工程中标结果公示\n工程名称\n甲路改造工程\n中标单位\n标段名称\n中标单位\n中标价\n\
                中标范围和内容\n项目经理\n施工\n乙建设有限公司\n160.264600\n万元\n城市道路;\n丙某浙233161607458\n\
                公告开始时间\n2021年06月23日";
    let n = extract_text(text, false, "page.txt");
    assert_eq!(n.winners, ["乙建设有限公司"]);
    assert_eq!(n.amount, Some(1_602_646.0));
}

#[test]
fn a_flattened_page_runs_its_title_into_the_sites_bar() {
    // A page flattened into one line: the title, the site's bar of date and clicks, the form;
    // the page's sign-off (who published it, then the day) goes on lines of its own, and the
    // one who signs is no title.
    let text =
        "甲乡乙村示范村景观提升工程成交公示 【信息时间： 2021/4/8 阅读次数： 95 】【我要打印】【关闭】 \
                中 标 公 示 工程名称：甲乡乙村示范村景观提升工程 开标时间：2021年04月07日 中标人情况： \
                中标人：丙建设有限公司 中标价：597912元 工期：90日历天 联系人：沈主任 \
                长兴县甲乡人民政府招投标中心 2021年4月8日";
    let n = extract(text.as_bytes(), "flat.txt");
    assert_eq!(n.title.as_deref(), Some("甲乡乙村示范村景观提升工程成交公示"));
    assert_eq!(n.kind, NoticeKind::Award);
    assert_eq!(n.winners, ["丙建设有限公司"]);
    assert_eq!(n.amount, Some(597912.0));
    // After the site's name and where the page is; the bar's bracket on the title's word.
    let text = "某省招标投标网 您现在的位置：首页>>交易信息>>工程建设>>中标公示 丁工程供配电设备项目 \
                【信息时间： 2018/3/21 11:18:02 阅读次数： 】【我要打印】【关闭】 中标人公示 项目名称 丁工程";
    let n = extract(text.as_bytes(), "flat.txt");
    assert_eq!(n.title.as_deref(), Some("丁工程供配电设备项目"));
    let text =
        "戊大厦电梯采购及安装项目【 信息发布时间：2021-06-22 阅读次数：233】 【我要打印】 工程信息发布表";
    assert_eq!(extract(text.as_bytes(), "flat.txt").title.as_deref(), Some("戊大厦电梯采购及安装项目"));
}

#[test]
fn a_figure_in_a_note_that_parts_the_total_is_no_budget() {
    // A cell a line (`get_text("\n")`): the label's value on the line under it outranks a
    // sentence's figure further down.
    let text = "甲市桥梁检测项目采购公告\n项目编号：\nZJ-2021-0402\n预算金额（元）：\n1289100\n备注：\n\
                1289100元（其中：桥梁检测最高限价为789100元；\n道路评估最高限价为500000元。）\n";
    assert_eq!(extract(text.as_bytes(), "cells.txt").budget, Some(1289100.0));
    // On one line, the parts the note lists are not the budget either.
    let page = html(
        "<p>乙市道路检测项目采购公告</p><p>本项目总价1289100元（其中：桥梁检测最高限价为789100元；\
         道路评估最高限价为500000元）。</p>",
    );
    assert_eq!(page.budget, None);
}

#[test]
fn a_tenders_phrase_far_down_a_form_a_cell_a_line() {
    // A form as a crawler's text of every cell on a line: what says it is a tender (报名起止时间)
    // comes a hundred short lines down, still early in the text.
    let mut text = String::from("己大厦电梯采购及安装项目\n工程信息发布表\n");
    for i in 0..50 {
        text.push_str(&format!("第{i}项\n设备\n"));
    }
    text.push_str("报名起止时间\n2021年6月23日至2021年6月29日\n");
    assert_eq!(extract(text.as_bytes(), "cells.txt").kind, NoticeKind::Tender);
}

#[test]
fn a_date_broken_at_each_of_words_spans() {
    // A sign-off's date as a crawler's text of Word's spans, a piece a line.
    let text = "庚县派出所综合楼装修工程招标公告\n招标人：庚县城市建设投资有限公司\n\
                庚县城市建设投资有限公司\n20\n21年\n5\n月\n12\n日\n附件：\n1、招标文件.pdf\n";
    assert_eq!(extract(text.as_bytes(), "spans.txt").published, "2021-05-12".parse().ok());
    let lines =
        |text: &[&str]| super::layout::join_broken_dates(text.iter().map(|l| l.to_string()).collect());
    assert_eq!(lines(&["20", "21年5月12日", "附件："]), ["2021年5月12日", "附件："]);
    // Figures that make no whole date stay as they are.
    assert_eq!(lines(&["序号", "1", "2", "12"]).len(), 4);
    assert_eq!(lines(&["2021年", "5", "月"]).len(), 3);
}

#[test]
fn a_sign_off_inside_a_flattened_page() {
    // A page a crawler flattened into a few long lines: the sign-off's date follows the names
    // that sign it, or the contact details it closes, a space apart, with attachments or the
    // site's furniture after it; the deadline's date earlier on follows no name.
    let signed = "辛县综合楼装修工程招标公告\n1、招标条件 本工程已批准建设。\n\
                  2、投标截止时间为： 2021年 6 月 9 日 09 时 30 分。 联系人：王工 传真： 0577-64798998 \
                  辛县城市建设投资有限公司 壬工程管理有限公司 20 21年 5 月 12 日 附件： 1、招标文件.pdf\n";
    let page = extract(signed.as_bytes(), "flat.txt");
    assert_eq!(page.published, "2021-05-12".parse().ok());
    // The names that sign are the page's parties, the agency among them; neither is its title.
    assert_eq!(page.agency.as_deref(), Some("壬工程管理有限公司"));
    assert_eq!(page.title.as_deref(), Some("辛县综合楼装修工程招标公告"));
    let one_line = "招标公告 编号： A3303270480001356001001 1. 招标条件 本工程已批准建设。 \
                    联系人：王工 辛县城市建设投资有限公司 壬工程管理有限公司 2021年5月12日\n";
    let page = extract(one_line.as_bytes(), "flat.txt");
    assert_eq!((page.title.as_deref(), page.published), (Some("招标公告"), "2021-05-12".parse().ok()));
    let contact = "癸厂房改造项目施工招标公告\n1、招标条件 本项目已批准建设。\n\
                   2、递交截止时间为：2025年12月17日09时30分 电话：022-82116815 传真：022-82116815 \
                   日期：2025年11月26日 违法违规举报： 监督部门\n";
    assert_eq!(extract(contact.as_bytes(), "flat.txt").published, "2025-11-26".parse().ok());
    // A date in the body, after a label rather than a name, signs nothing.
    let unsigned =
        "子项目招标公告\n1、招标条件 本项目已批准建设。\n2、投标截止时间： 2021年6月9日 地点：丑县\n";
    assert_eq!(extract(unsigned.as_bytes(), "flat.txt").published, None);
    // Nor does the start of a period after a name.
    let period = "子项目招标公告\n1、招标条件 本项目已批准建设。\n2、服务期 丑物业管理有限公司 2021年6月9日 至 2022年6月8日\n";
    assert_eq!(extract(period.as_bytes(), "flat.txt").published, None);
}

#[test]
fn a_flattened_forms_date_and_sum_in_chinese_numerals() {
    // A form flattened with its cells a space apart, the date written out.
    let text = "寅县供水管网改造中标结果公示 招标人 寅县水利局 中标人 卯建设集团有限公司 \
                中标价 大写：贰仟零伍拾万元整 下浮率 3.5% 公示日期 二〇二五年五月六日\n";
    let page = extract(text.as_bytes(), "flat.txt");
    assert_eq!(page.published, "2025-05-06".parse().ok());
    // The sum in words a space after its label, its own unit.
    assert_eq!(page.amount, Some(20_500_000.0));
}

#[test]
fn a_form_flattened_into_a_line_of_labels_and_values() {
    // A crawler's text of a form: each cell a space apart, labels spaced out to fill their
    // cells, a note on how a cell is signed after its label.
    let text = "己大厦电梯采购及安装项目 【 信息发布时间：2021-06-22 阅读次数：233】 \
                午区公共资源交易中心工程信息发布表 项 目 编 号 NH20210622002 信 息 类 别 设备 \
                工 程 名 称 己大厦电梯采购及安装项目 建设单位（盖章） 午市富华投资有限公司 \
                招标代理机构（盖章） 未建设咨询有限公司 总 投 资 75万元 报名起止时间 2021年6月23日\n";
    let page = extract(text.as_bytes(), "form.txt");
    assert_eq!(page.project_code.as_deref(), Some("NH20210622002"));
    assert_eq!(page.buyer.as_deref(), Some("午市富华投资有限公司"));
    assert_eq!(page.agency.as_deref(), Some("未建设咨询有限公司"));
    assert_eq!(page.published, "2021-06-22".parse().ok());
}

#[test]
fn a_flattened_pages_heading_among_its_words_says_its_kind() {
    // The heading survives as a word of its own; the rules further on speak of candidates.
    let text = "申县城山路道路工程施工 【信息时间： 2021/5/11 阅读次数： 422 】 【我要打印】 \
                申县城山路道路工程 发包公告 申县城山路道路工程经主管部门同意建设。建设地址位于申县\
                和平镇，建设规模为道路长约820米，宽12米，计划工期180日历天，资金来源为政府投资，\
                现对该工程施工进行发包。 中标候选人公示期满后发出中标通知书。\n";
    assert_eq!(extract(text.as_bytes(), "heading.txt").kind, NoticeKind::Tender);
    // With no title before the site's bar, the heading and the project's name before it are
    // the title; a code before it is none of it. A form's cells that name a figure and a date
    // (`中标价(元) 14408342.2 公示开始时间 2023-8-7`) are no heading.
    let award = "工程编号 T0WZ202300505-P02 建设单位名称 工程名称 戌铁路甲供物资第五批次采购 中标人 \
                 戌铁路甲供物资第五批次采购 中标结果公告 招标编号： T0WZ202300505 戌铁路甲供物资第五批次采购 \
                 的招标中标候选人公示已结束。现就本次招标的中标结果公示如下： 一、中标人 亥光电科技有限公司 中标价（元）： 14408342.2\n\
                 二、联系方式 传真/邮箱： 029-82159987 日期：2023年08月07日 中标价(元) 14408342.2 公示开始时间 2023-8-7\n";
    let page = extract(award.as_bytes(), "form.txt");
    assert_eq!(page.title.as_deref(), Some("戌铁路甲供物资第五批次采购 中标结果公告"));
    assert_eq!((page.kind, page.published), (NoticeKind::Award, "2023-08-07".parse().ok()));
    let coded = "招标备案号：JS1201142025114017 招标项目编号：I120000540500019B007 施工招标公告\n\
                 1、招标条件 本招标项目亥厂房提升改造项目已由亥区行政审批局批准建设，招标人为亥园区管理有限公司。\n";
    assert_eq!(extract(coded.as_bytes(), "coded.txt").title.as_deref(), Some("施工招标公告"));
    // A span of years as a word of its own leaves a heading one; a figure or a date does not.
    assert!(super::is_heading_of_a_notice("戌县中学 2021-2022 学年教学设备采购中标公告"));
    assert!(!super::is_heading_of_a_notice("中标价(元) 14408342.2 公示开始时间 2023-8-7"));
    assert!(!super::is_heading_of_a_notice("戌县中学设备采购中标公告 2023-8-7"));
}

#[test]
fn a_candidates_phrase_deep_in_a_flattened_tender_says_nothing_of_its_kind() {
    // A tender flattened into a few lines: its conditions first, a rule that speaks of the
    // proposed winner some 1,500 characters on.
    let mut text = String::from("LYSG2021-069-048 1. 招标条件 酉县山洪沟防洪治理工程已批准建设。");
    text.push_str(&"投标人须具备水利水电工程施工总承包三级及以上资质，".repeat(60));
    text.push_str("招标人在定标前将查询拟中标人的信用记录。\n");
    assert_eq!(extract(text.as_bytes(), "rules.txt").kind, NoticeKind::Tender);
}

#[test]
fn a_region_a_space_after_its_label_in_a_flattened_summary() {
    // A procurement site's summary box flattened: each cell a space apart.
    let text = "午乡太阳能路灯采购中标（成交）结果公告 品目 采购单位 午乡人民政府 行政区域 贵州省 \
                公告时间 2025年06月27日 17:52 评审专家名单 赵甲、钱乙 总中标金额 ￥56.98万元\n\
                一、项目编号：LKZX2025-CG013\n";
    assert_eq!(extract(text.as_bytes(), "summary.txt").region.as_deref(), Some("贵州省"));
    // A word that is more than divisions is no region.
    let text = text.replace("行政区域 贵州省 ", "行政区域 贵州省电网 ");
    assert_eq!(extract(text.as_bytes(), "summary.txt").region, None);
}
