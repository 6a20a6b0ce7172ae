// The office operator's pages: [path pattern, (params) => page], under /console/office.
import { BookingPage } from './Booking.jsx';
import { Desk } from './Desk.jsx';
import { Remote } from './Remote.jsx';
import { RequestPage } from './Request.jsx';
import { Today } from './Today.jsx';

export const OPERATOR_ROUTES = [
  ['/console/office', () => <Today />],
  ['/console/office/desk', () => <Desk />],
  ['/console/office/remote', () => <Remote />],
  ['/console/office/bookings/:booking', (p) => <BookingPage bookingId={p.booking} />],
  ['/console/office/requests/:code', (p) => <RequestPage code={p.code} />],
];
