// An iCalendar (RFC 5545) file for a booking, made in the browser from the API's answer.
const stamp = (date) => date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
const escape = (text) => String(text).replace(/[\\;,]/g, (c) => `\\${c}`).replace(/\n/g, '\\n');

export function bookingIcs(booking, durationMin) {
  const start = new Date(booking.start.at); // "2026-12-01T09:30+03:30" carries its offset
  const end = new Date(start.getTime() + durationMin * 60000);
  const lines = [
    'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//EJSO network//citizen web//FA', 'CALSCALE:GREGORIAN',
    'BEGIN:VEVENT',
    `UID:${booking.booking_id}@ejso`,
    `DTSTAMP:${stamp(new Date())}`,
    `DTSTART:${stamp(start)}`,
    `DTEND:${stamp(end)}`,
    `SUMMARY:${escape(`${booking.service.name_fa} – ${booking.office.name_fa}`)}`,
    `LOCATION:${escape(booking.office.name_fa)}`,
    `DESCRIPTION:${escape(`شناسه پیگیری: ${booking.booking_id}`)}`,
    'BEGIN:VALARM', 'TRIGGER:-PT2H', 'ACTION:DISPLAY', `DESCRIPTION:${escape(booking.service.name_fa)}`, 'END:VALARM',
    'END:VEVENT', 'END:VCALENDAR',
  ];
  return `${lines.join('\r\n')}\r\n`;
}
