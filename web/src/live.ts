import { useEffect, useRef, useState } from 'preact/hooks';
import { EVENT_TYPES } from './event-types.ts';

// The plant's event feed as server-sent events (the session cookie authenticates the stream).
// Any event reloads the screen's data, debounced: a reschedule writes several events at once.

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
    source.addEventListener('message', fire);
    source.onopen = () => setState('live');
    source.onerror = () => setState(source.readyState === EventSource.CLOSED ? 'offline' : 'connecting');
    return () => {
      clearTimeout(timer);
      source.close();
    };
  }, [plant]);
  return state;
}
