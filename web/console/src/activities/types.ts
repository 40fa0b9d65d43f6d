/** What the activities API answers, as the console reads it (see functions/activities/domain/activity.ts). */
export interface PublicActivity {
  id: string;
  kind: string;
  kindName: string;
  network: string;
  networkName: string;
  title: string;
  description: string;
  startsAt: string;
  endsAt: string;
  timeZone: string;
  venue: string | null;
  online: boolean;
  capacity: number | null;
  placesLeft: number | null;
  status: 'scheduled' | 'cancelled';
}

/** GET /api/activities/{id}/rsvps and the staff answers carry everything, the online link too. */
export interface StaffActivity extends PublicActivity {
  onlineUrl: string | null;
  accepted: number;
  sequence: number;
}

export interface RosterRow {
  name: string;
  email: string;
  status: 'accepted' | 'waitlisted' | 'cancelled';
  member: boolean;
  requestedAt: string;
  acceptedAt: string | null;
  waitlistPosition: number | null;
  cancelledAt: string | null;
}

export interface Roster {
  activity: StaffActivity;
  rsvps: RosterRow[];
}

export interface AttendanceAnswer {
  recorded: number;
  alreadyRecorded: number;
  duplicatesInRequest: number;
}
