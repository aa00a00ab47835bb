"""The .ics of an event, carrying the community's time zone."""
from icalendar import Calendar
from icalendar import Event as VEvent


def event_ics(event, url, venue, tz, host):
    """One VEVENT in a VCALENDAR, times in the community's zone with its VTIMEZONE."""
    cal = Calendar()
    cal.add("prodid", "-//OPC community//events//ZH")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    item = VEvent()
    item.add("uid", f"event-{event.id}@{host}")
    item.add("summary", event.title)
    item.add("dtstart", event.starts_at.astimezone(tz))
    item.add("dtend", event.ends_at.astimezone(tz))
    item.add("dtstamp", event.created_at)
    item.add("location", venue)
    item.add("url", url)
    item.add("description", (event.description or "")[:1000] + f"\n{url}")
    item.add("status", "CANCELLED" if event.status == "cancelled" else "CONFIRMED")
    cal.add_component(item)
    cal.add_missing_timezones()
    return cal.to_ical()
