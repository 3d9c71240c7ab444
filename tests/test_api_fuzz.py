"""Hostile JSON on every route of /api/v1 with a write token: random and malicious bodies,
query strings and ids, never a 500 and never an HTML page, and nothing written when the
request is turned away. Routes come from the URL map, so routes added later are covered."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import ApiClient
from .test_fuzz import FUZZ, PAYLOADS, seeded, snapshot, url_for_rule  # noqa: F401 - a fixture

FIELDS = [
    *("name", "category", "kind", "target_minutes", "target_period", "target_direction"),
    *("target_times", "habit_id", "date", "minutes", "note", "start", "end", "habits"),
    *("archived", "limit", "cursor", "range", "id", "user_id"),
]
scalars = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(max_size=100),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
    st.sampled_from(["2026-01-05", "2026-02-30", "1999-12-31", "9999-12-31", "2026-1-5"]),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
bodies = st.one_of(
    st.fixed_dictionaries({}, optional=dict.fromkeys(FIELDS, values)),
    values,
)


def api_routes(app):
    return sorted(
        (rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")),
        key=lambda rule: (rule.rule, rule.endpoint),
    )


@settings(FUZZ, max_examples=60)
@given(data=st.data())
def test_random_json_never_fails_and_rejections_write_nothing(
    app,
    seeded,  # noqa: F811 - the fixture imported above
    make_token,
    client,
    data,
):
    api = ApiClient(client, make_token(seeded.id))
    rules = api_routes(app)
    picked = data.draw(
        st.lists(st.integers(0, len(rules) - 1), min_size=1, max_size=4, unique=True)
    )
    for rule in (rules[index] for index in picked):
        method = data.draw(
            st.sampled_from(sorted(rule.methods - {"HEAD", "OPTIONS"})), label="method"
        )
        url = url_for_rule(app, rule, data)
        body = data.draw(bodies, label="body")
        raw = data.draw(st.booleans(), label="raw text body")
        before = snapshot(app)
        if raw:
            response = api.open(
                method, url, data=data.draw(st.text(max_size=50)), content_type="application/json"
            )
        else:
            response = api.open(method, url, data=json.dumps(body), content_type="application/json")
        assert response.status_code < 500, (method, url, body)
        if response.status_code >= 400:
            assert response.mimetype == "application/problem+json", (method, url)
            assert snapshot(app) == before, (method, url, body)
