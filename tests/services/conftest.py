"""Fixtures of the services tests: a provider of some catalogue entries, a request."""
import itertools
from datetime import datetime, timezone

import pytest

from community.extensions import db
from services import catalogue, rules

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)  # 10:00 in Chongqing
_names = itertools.count(1)


def provider_data(**overrides):
    from tests.conftest import valid_uscc
    return {"name": f"重庆知识产权代理{next(_names)}号", "kind": "patent_agency",
            "uscc": valid_uscc(), "no_uscc": False, "categories": [],
            "qualifications": "专利代理机构执业许可证", "contact_name": "王五",
            "contact_phone": "13900139000", "contact_email": "", "address": "两江新区",
            "note": "", "resident": False, "active": True} | overrides


@pytest.fixture
def make_provider(app):
    def make(*codes, **overrides):
        ids = [catalogue.category(db.session, code).id for code in codes or ("patent",)]
        provider = catalogue.save_provider(db.session, None,
                                           provider_data(categories=ids, **overrides))
        db.session.commit()
        return provider
    return make


@pytest.fixture
def make_request(app, make_tenant):
    def make(code="patent", tenant=None, at=NOW, description="发明专利申请"):
        made = rules.request_service(db.session, None, tenant or make_tenant(),
                                     catalogue.category(db.session, code), description, at)
        db.session.commit()
        return made
    return make
