"""Suggesting firms for a scenario: ranked by sector, tags and shared words (rare
words weighing more), each with its reasons; closed, moved-out and already matched
firms left out; each firm's words segmented once and kept until its text changes."""
from datetime import date

from sqlalchemy import select

from community.extensions import db
from scenarios import matching
from scenarios.models import ProfileWords, Scenario, ScenarioMatch
from tests.conftest import make_tenant_row

TODAY = date(2026, 11, 20)

IMAGING = ("专注医学影像人工智能，自主研发的肺结节CT影像辅助诊断软件已在重庆两家三甲医院试点，"
           "可与医院PACS系统对接，帮助放射科医生提高阅片效率。")
HOSPITAL_IT = ("为基层医院和社区卫生服务中心提供互联网医院平台、在线问诊、电子处方流转"
               "和慢病随访管理，服务重庆十余家医疗机构。")
HOTPOT = "为重庆火锅、小面等餐饮品牌策划短视频内容和直播带货，运营抖音、小红书账号，组织探店达人。"
FACTORY = "面向汽摩零部件工厂提供机器视觉质检设备，检测铸件表面缺陷，替代人工目检。"


def firms():
    """Five firms of a small community, one of them closed."""
    made = {
        "imaging": make_tenant_row(name="重庆影联智能科技有限公司", sector="智慧医疗",
                                   profile=IMAGING),
        "hospital_it": make_tenant_row(name="重庆康护信息技术有限公司", sector="智慧医疗",
                                       profile=HOSPITAL_IT),
        "hotpot": make_tenant_row(name="重庆山城味道文化传媒有限公司", sector="数字营销",
                                  profile=HOTPOT),
        "factory": make_tenant_row(name="重庆精工智造科技有限公司", sector="智能制造",
                                   profile=FACTORY),
        "closed": make_tenant_row(name="重庆明镜影像科技有限公司", sector="智慧医疗",
                                  profile=IMAGING, closed_on=date(2026, 6, 30)),
    }
    db.session.commit()
    return made


def scenario(**overrides):
    row = Scenario(**({
        "title": "区人民医院肺结节影像辅助诊断试点", "owner_name": "重庆市渝北区人民医院",
        "owner_type": "hospital_school", "source": "district_joint", "district": "渝北区",
        "sectors": ["智慧医疗"], "tags": ["影像"], "discovered_on": date(2026, 3, 2),
        "description": "放射科每天产生大量CT影像，希望引入人工智能辅助诊断，先在肺结节筛查上试点，"
                       "减轻医生阅片压力，并与院内PACS系统对接。"} | overrides))
    db.session.add(row)
    db.session.commit()
    return row


def suggested(found):
    return [s.tenant.name for s in found]


def test_the_imaging_firm_ranks_first_with_its_reasons(app):
    made = firms()
    found = matching.suggest(db.session, scenario(), today=TODAY)
    assert suggested(found)[:2] == [made["imaging"].name, made["hospital_it"].name]
    best = found[0]
    assert best.score > found[1].score > 0
    assert best.reasons[0] == "行业相同：智慧医疗"
    assert "标签“影像”见于企业简介" in best.reasons
    shared = next(r for r in best.reasons if r.startswith("共同关键词："))
    for word in ("辅助诊断", "PACS", "放射科"):
        assert word in shared
    assert found[1].reasons == ["行业相同：智慧医疗", "共同关键词：医院"]
    assert "；".join(best.reasons) == best.reason


def test_a_firm_of_another_sector_sharing_no_words_is_not_suggested(app):
    made = firms()
    names = suggested(matching.suggest(db.session, scenario(), today=TODAY))
    assert made["hotpot"].name not in names
    # Its 人工 (目检 by hand) is not the scenario's 人工智能.
    assert made["factory"].name not in names
    assert all(s.score > 0 and s.reasons for s in matching.suggest(db.session, scenario(),
                                                                       today=TODAY))


def test_a_word_every_firm_uses_counts_for_nothing(app):
    made = firms()
    # Every profile above says 重庆; a scenario sharing only that suggests nobody.
    found = matching.suggest(db.session, scenario(
        title="重庆", description="重庆", sectors=[], tags=[]), today=TODAY)
    assert found == []
    assert made  # the community is not empty


def test_closed_and_moved_out_firms_are_left_out(app):
    made = firms()
    leaving = make_tenant_row(name="重庆远影医疗科技有限公司", sector="智慧医疗", profile=IMAGING,
                              moved_out_on=date(2026, 12, 31))
    gone = make_tenant_row(name="重庆旧影医疗科技有限公司", sector="智慧医疗", profile=IMAGING,
                           moved_out_on=date(2026, 10, 31))
    db.session.commit()
    names = suggested(matching.suggest(db.session, scenario(), today=TODAY))
    assert made["closed"].name not in names and gone.name not in names
    assert leaving.name in names  # it moves out next month: still here today
    later = suggested(matching.suggest(db.session, scenario(), today=date(2027, 1, 4)))
    assert leaving.name not in later


def test_a_firm_already_matched_is_left_out_until_withdrawn(app):
    made = firms()
    row = scenario()
    match = ScenarioMatch(scenario_id=row.id, tenant_id=made["imaging"].id,
                          matched_on=date(2026, 4, 1))
    db.session.add(match)
    db.session.commit()
    names = suggested(matching.suggest(db.session, row, today=TODAY))
    assert made["imaging"].name not in names and names[0] == made["hospital_it"].name
    match.withdrawn_on = date(2026, 5, 1)
    db.session.commit()
    assert suggested(matching.suggest(db.session, row, today=TODAY))[0] == made["imaging"].name


def test_a_tag_in_the_name_is_said_so_and_limit_cuts_the_list(app):
    made = firms()
    found = matching.suggest(db.session, scenario(tags=["康护"]), limit=1, today=TODAY)
    assert len(found) == 1
    reasons = matching.suggest(db.session, scenario(tags=["康护"]), today=TODAY)
    by_name = {s.tenant.name: s.reasons for s in reasons}
    assert "标签“康护”见于企业名称" in by_name[made["hospital_it"].name]


def test_no_firms_no_suggestions(app):
    assert matching.suggest(db.session, scenario(), today=TODAY) == []


def test_words_leave_out_stop_words_punctuation_numbers_and_single_characters(app):
    words = matching.words_of("我们公司提供AI大模型、数字孪生服务，2026年在重庆落地3个项目。")
    assert {"ai", "大模型", "数字孪生", "落地", "项目"} <= set(words)
    for left_out in ("我们", "公司", "提供", "，", "2026", "3", "年", "在"):
        assert left_out not in words


def cache():
    return {row.tenant_id: (row.text_hash, list(row.words))
            for row in db.session.scalars(select(ProfileWords))}


def test_suggesting_fills_the_cache_and_reuses_it(app):
    made = firms()
    matching.suggest(db.session, scenario(), today=TODAY)
    db.session.commit()
    first = cache()
    open_firms = [t for key, t in made.items() if key != "closed"]
    assert set(first) == {t.id for t in open_firms}
    assert "辅助诊断" in first[made["imaging"].id][1]
    # Nothing changed: nothing is segmented again, the rows stay as they were.
    assert matching.refresh_profile_words(db.session, open_firms) == 0
    matching.suggest(db.session, scenario(), today=TODAY)
    db.session.commit()
    assert cache() == first


def test_an_edited_profile_is_segmented_again(app):
    made = firms()
    assert matching.refresh_profile_words(db.session) == len(made)
    db.session.commit()
    before = cache()
    made["hotpot"].profile = "转型做医学影像数据标注，服务肺结节辅助诊断模型训练。"
    db.session.commit()
    assert matching.refresh_profile_words(db.session) == 1
    db.session.commit()
    after = cache()
    hotpot = made["hotpot"].id
    assert after[hotpot][0] != before[hotpot][0] and "标注" in after[hotpot][1]
    assert {k: v for k, v in after.items() if k != hotpot} == {
        k: v for k, v in before.items() if k != hotpot}
    assert made["hotpot"].name in suggested(matching.suggest(db.session, scenario(),
                                                             today=TODAY))


def test_two_staff_filling_the_cache_at_once_both_get_their_suggestions(app, race):
    made = firms()
    scenario_id = scenario().id

    def open_suggestions():
        found = matching.suggest(db.session, db.session.get(Scenario, scenario_id),
                                 today=TODAY)
        db.session.commit()
        return suggested(found)[0]

    assert race(open_suggestions, times=4, app=app) == [made["imaging"].name] * 4
    db.session.rollback()  # read what the racers wrote, not this session's snapshot
    assert len(cache()) == len(made) - 1
