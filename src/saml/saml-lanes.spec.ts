import { SamlLanes } from './saml-lanes.js';
import { SamlBusyError } from './saml.errors.js';

/** A task that runs until released, recording when it started. */
function held(started: string[], name: string) {
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  return {
    work: async () => {
      started.push(name);
      await done;
      return name;
    },
    release: () => release(),
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('SamlLanes', () => {
  it('hands a freed worker to a waiting logout before a full queue of waiting logins', async () => {
    const lanes = new SamlLanes(1, { login: 4, logout: 2 });
    const started: string[] = [];
    const tasks = ['login-1', 'login-2', 'login-3', 'login-4'].map((name) => held(started, name));
    const runs = tasks.map((t, i) => lanes.run('login', t.work).then(() => `login-${i + 1}`));
    await expect(lanes.run('login', async () => 'shed')).rejects.toBeInstanceOf(SamlBusyError);

    const logout = held(started, 'logout');
    const logoutRun = lanes.run('logout', logout.work);
    await settle();
    expect(started).toEqual(['login-1']);
    expect(lanes.waitingIn('login')).toBe(3);
    expect(lanes.waitingIn('logout')).toBe(1);

    tasks[0].release();
    await settle();
    expect(started).toEqual(['login-1', 'logout']);
    logout.release();
    await expect(logoutRun).resolves.toBe('logout');
    await settle();
    expect(started).toEqual(['login-1', 'logout', 'login-2']);
    for (const t of tasks) t.release();
    await Promise.all(runs);
    expect(started).toEqual(['login-1', 'logout', 'login-2', 'login-3', 'login-4']);
    expect(lanes.inFlight).toEqual({ login: 0, logout: 0 });
  });

  it('sheds forged logouts beyond their own bound and leaves logins a turn at every other worker', async () => {
    const lanes = new SamlLanes(1, { login: 3, logout: 3 });
    const started: string[] = [];
    const logouts = ['logout-1', 'logout-2', 'logout-3'].map((name) => held(started, name));
    const runs = logouts.map((t) => lanes.run('logout', t.work));
    await expect(lanes.run('logout', async () => 'shed')).rejects.toBeInstanceOf(SamlBusyError);
    const login = held(started, 'login');
    const loginRun = lanes.run('login', login.work);
    await settle();

    logouts[0].release();
    await settle();
    expect(started).toEqual(['logout-1', 'login']);
    login.release();
    await loginRun;
    for (const t of logouts) t.release();
    await Promise.all(runs);
    expect(started).toEqual(['logout-1', 'login', 'logout-2', 'logout-3']);
  });

  it('counts an owed task without shedding it, and frees its worker when the work throws', async () => {
    const lanes = new SamlLanes(1, { login: 1, logout: 0 });
    await expect(lanes.run('logout', async () => 'owed', { owed: true })).resolves.toBe('owed');
    await expect(lanes.run('logout', async () => 'shed')).rejects.toBeInstanceOf(SamlBusyError);
    await expect(
      lanes.run('login', () => {
        throw new Error('pool closed');
      }),
    ).rejects.toThrow('pool closed');
    await expect(lanes.run('login', async () => 'next')).resolves.toBe('next');
    expect(lanes.inFlight).toEqual({ login: 0, logout: 0 });
  });
});
