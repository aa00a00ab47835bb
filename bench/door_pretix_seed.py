"""Seeds pretix for bench/door_vs_pretix.py; run with pretix's own Python:

    PRETIX_CONFIG_FILE=…/pretix.cfg pretix-venv/bin/python bench/door_pretix_seed.py N ROUNDS

Idempotent: an organizer `opcbench`, a team with all permissions and an API token,
an event `door` with one item, a quota and N paid orders (made once, through
pretix's models, so each position gets its ticket secret the way pretix assigns
it), and one fresh check-in list per round (a ticket is checked in once per list,
so every round starts with nobody in). Prints one JSON line: the token, the
organizer, the list ids and the N secrets.
"""
import json
import os
import sys
from datetime import timedelta
from decimal import Decimal

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pretix.settings")
import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402
from django.utils.timezone import now  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402
from pretix.base.models import (CheckinList, Event, Item, Order, OrderPosition,  # noqa: E402
                                Organizer, Quota, Team)


def main(n, rounds):
    with scopes_disabled(), transaction.atomic():
        org, _ = Organizer.objects.get_or_create(slug="opcbench", defaults={"name": "OPC bench"})
        team, _ = Team.objects.get_or_create(
            organizer=org, name="bench", defaults=dict(
                all_events=True, all_event_permissions=True, all_organizer_permissions=True))
        token = team.tokens.filter(active=True).first() or team.tokens.create(name="bench")
        event = Event.objects.filter(organizer=org, slug="door").first()
        if event is None:
            event = Event.objects.create(
                organizer=org, slug="door", name="Door bench", currency="EUR",
                date_from=now() + timedelta(hours=1), live=True)
        item = event.items.first() or Item.objects.create(
            event=event, name="Ticket", default_price=Decimal("0.00"), admission=True)
        if not event.quotas.exists():
            quota = Quota.objects.create(event=event, name="Tickets", size=None)
            quota.items.add(item)
        channel = org.sales_channels.get(identifier="web")
        have = OrderPosition.objects.filter(order__event=event).count()
        for k in range(have, n):
            order = Order.objects.create(
                event=event, email=f"a{k}@example.org", status=Order.STATUS_PAID,
                total=Decimal("0.00"), datetime=now(), expires=now() + timedelta(days=1),
                locale="en", sales_channel=channel)
            OrderPosition.objects.create(order=order, item=item, price=Decimal("0.00"),
                                         positionid=1)
            order.create_transactions()
        secrets = list(OrderPosition.objects.filter(order__event=event)
                       .order_by("id").values_list("secret", flat=True)[:n])
        stamp = now().strftime("%Y%m%d%H%M%S")
        lists = [CheckinList.objects.create(event=event, name=f"bench {stamp} #{r}",
                                            all_products=True).pk
                 for r in range(rounds)]
    print(json.dumps({"token": token.token, "organizer": org.slug, "event": event.slug,
                      "lists": lists, "secrets": secrets}))


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
