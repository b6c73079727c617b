/** Start of the local calendar day containing `now` (Unix ms). Local, because "today" is the user's day. */
export function startOfLocalDay(now: number): number {
  const day = new Date(now);
  // setHours works in local time, so days of 23 or 25 hours (daylight-saving changes) come out right.
  day.setHours(0, 0, 0, 0);
  return day.getTime();
}
