import { useEffect, useRef, useState } from 'preact/hooks';

// The plant's event feed as server-sent events (the session cookie authenticates the stream).
// Any event reloads the screen's data, debounced: a reschedule writes several events at once.
const EVENT_TYPES = [
  'order.created',
  'order.confirmed',
  'order.released',
  'order.progress',
  'order.operation-progress',
  'order.completed',
  'order.shipped',
  'order.cancelled',
  'order.repromised',
  'order.updated',
  'order.pushed',
  'order.at-risk',
  'order.on-track',
  'hold.created',
  'hold.expired',
  'hold.extended',
  'hold.released',
  'capacity.changed',
  'capacity.ended',
  'capacity.revoked',
  'breakdown.recorded',
  'breakdown.updated',
  'buffer.changed',
  'drum.calendar.changed',
  'resource.calendar.changed',
  'schedule.frozen',
  'schedule.time-passed',
  'orders.handed-over',
  'plant.went-live',
  'message',
];

export type LiveState = 'connecting' | 'live' | 'offline';

export function useLiveRefresh(plant: string, onEvent: () => void): LiveState {
  const [state, setState] = useState<LiveState>('connecting');
  const callback = useRef(onEvent);
  callback.current = onEvent;
  useEffect(() => {
    if (typeof EventSource === 'undefined') return;
    const source = new EventSource(`/v1/plants/${encodeURIComponent(plant)}/events/stream`, { withCredentials: true });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const fire = () => {
      clearTimeout(timer);
      timer = setTimeout(() => callback.current(), 250);
    };
    for (const type of EVENT_TYPES) source.addEventListener(type, fire);
    source.onopen = () => setState('live');
    source.onerror = () => setState(source.readyState === EventSource.CLOSED ? 'offline' : 'connecting');
    return () => {
      clearTimeout(timer);
      source.close();
    };
  }, [plant]);
  return state;
}
