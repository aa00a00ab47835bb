"""iCalendar (RFC 5545) feeds of bookings: TZID with a VTIMEZONE, stable UIDs,
cancellations carried as STATUS:CANCELLED."""
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

STATUS = {"confirmed": "CONFIRMED", "pending": "TENTATIVE", "provisional": "TENTATIVE"}


def feed(name, bookings, tz_name, detailed, host):
    """The bookings as one calendar; without `detailed` only busy times show."""
    tz = ZoneInfo(tz_name)
    cal = Calendar()
    cal.add("prodid", "-//OPC Community//Room booking//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", tz_name)
    for booking in bookings:
        event = Event()
        event.add("uid", f"booking-{booking.uid}@{host}")
        event.add("dtstamp", booking.updated_at)
        event.add("last-modified", booking.updated_at)
        event.add("dtstart", booking.starts_at.astimezone(tz))
        event.add("dtend", booking.ends_at.astimezone(tz))
        event.add("status", STATUS.get(booking.status, "CANCELLED"))
        event.add("sequence", 0 if booking.active else 1)
        event.add("location", booking.room.zone.name)
        if detailed:
            who = booking.tenant.name if booking.tenant else "社区"
            event.add("summary", f"{booking.purpose}（{who}）")
        else:
            event.add("summary", "已预约")
            event.add("class", "PRIVATE")
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
