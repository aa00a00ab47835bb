"""Fixtures of the scenarios tests: a scenario recorded through the rules."""
import itertools
from datetime import date

import pytest

from community.extensions import db
from scenarios import rules

TODAY = date(2026, 11, 20)
_n = itertools.count(1)


def scenario_data(**overrides):
    n = next(_n)  # a distinct owner each: two of one owner with like titles are duplicates
    return {"title": f"智慧医院影像辅助诊断场景{n}", "owner_name": f"重庆市第{n}人民医院",
            "owner_type": "hospital_school", "owner_uscc": "", "source": "district_joint",
            "joint_with_district": True, "district": "渝北区", "sectors": ["智慧医疗"],
            "tags": ["影像", "辅助诊断"], "description": "需要基于AI的医学影像辅助诊断系统",
            "budget": "500000", "contact_name": "刘主任", "contact_phone": "",
            "discovered_on": date(2026, 3, 2), "activity_id": None} | overrides


@pytest.fixture
def make_scenario(app):
    def make(**overrides):
        made = rules.save_scenario(db.session, None, scenario_data(**overrides), TODAY)
        db.session.commit()
        return made
    return make
