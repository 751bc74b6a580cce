"""The admin shows the project's apps, models, fields and choices translated."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "zh-hans",
            ["人员与班组", "质检", "投诉与升级", "班次与交接班", "话务与现场", "质检评分表"],
        ),
        (
            "zh-hant",
            ["人員與班組", "質檢", "投訴與升級", "班次與交接班", "話務與現場", "質檢評分表"],
        ),
    ],
)
def test_the_admin_index_names_apps_and_models_in_chinese(cast, language, words):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(cast.ada)
    html = client.get("/admin/").content.decode()
    for word in words:
        assert word in html, word


def test_an_admin_change_list_translates_fields_and_choices(cast):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(cast.ada)
    html = client.get("/admin/agents/agent/").content.decode()
    assert "显示名称" in html and "工号" in html and "班组" in html
    html = client.get("/admin/metrics/queue/add/").content.decode()
    assert "服务水平算法" in html and "及时接通量 / 呼入量" in html
