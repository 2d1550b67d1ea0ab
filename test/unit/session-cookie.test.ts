import { describe, expect, it } from 'vitest';
import { sessionCookie } from '../../src/http/plugins/auth.ts';

describe('reading the web session cookie from the Cookie header', () => {
  it('finds it among other cookies, with spaces around names and values ignored', () => {
    expect(sessionCookie('theme=dark; drumbeat_session=abc_DEF-123 ; lang=de')).toBe('abc_DEF-123');
    expect(sessionCookie('drumbeat_session=tok')).toBe('tok');
    expect(sessionCookie(' \tdrumbeat_session\t= tok')).toBe('tok');
  });

  it('takes the first of two cookies of that name, as the cookie parser does', () => {
    expect(sessionCookie('drumbeat_session=first; drumbeat_session=second')).toBe('first');
  });

  it('has none without the header, without the cookie, or for a name that only starts or ends like it', () => {
    expect(sessionCookie(undefined)).toBeUndefined();
    expect(sessionCookie('')).toBeUndefined();
    expect(sessionCookie('theme=dark; lang')).toBeUndefined();
    expect(sessionCookie('drumbeat_session_old=x; old_drumbeat_session=y')).toBeUndefined();
  });

  it('URL-decodes a value with %, and keeps a malformed one as sent', () => {
    expect(sessionCookie('drumbeat_session=a%2Fb')).toBe('a/b');
    expect(sessionCookie('drumbeat_session=a%zz')).toBe('a%zz');
    expect(sessionCookie('drumbeat_session=')).toBe('');
  });
});
