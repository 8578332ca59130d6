// Demo relying party (README "Demo page"): plain script, no dependencies, this origin only.
'use strict';

(function () {
  /** The API lives one level up from /demo/ (also behind a path prefix). */
  const API = new URL('../', location.href);
  const JWT_KEY = 'mfa-demo-jwt';
  const POLL_MS = 1000;
  /** Unanswered challenges expire (120 s by default); stop asking well after that. */
  const POLL_GIVE_UP_MS = 5 * 60 * 1000;
  const LINK_SCHEMES = ['otpauth:', 'tiqrenroll:', 'tiqrauth:', 'pia:'];
  const ENROLL_HINTS = {
    hotp: 'Scan the QR code with an authenticator app (counter-based codes).',
    totp: 'Scan the QR code with an authenticator app (time-based codes).',
    tiqr: 'Scan the QR code with the TiQR app; it registers its key with this service.',
    push: 'Scan the QR code with the privacyIDEA Authenticator; it registers its key with this service.',
  };

  const $ = (id) => document.getElementById(id);
  const el = {
    jwt: $('jwt'),
    remember: $('remember'),
    enrollForm: $('enroll-form'),
    enrollError: $('enroll-error'),
    enrollResult: $('enroll-result'),
    enrollSummary: $('enroll-summary'),
    enrollQr: $('enroll-qr'),
    enrollLink: $('enroll-link'),
    loginForm: $('login-form'),
    challenge: $('challenge'),
    challengeHeading: $('challenge-heading'),
    challengeMessage: $('challenge-message'),
    challengePresence: $('challenge-presence'),
    challengeQrBox: $('challenge-qr-box'),
    challengeQr: $('challenge-qr'),
    challengeLink: $('challenge-link'),
    otpForm: $('otp-form'),
    otp: $('otp'),
    pollStatus: $('poll-status'),
    pollChecked: $('poll-checked'),
    cancel: $('cancel'),
    loginResult: $('login-result'),
    raw: $('raw'),
  };

  /** The login in progress: user and transaction, and the poll timer. */
  let login = null;

  // --- admin token: in memory, or in this tab's session storage if asked ---

  try {
    const kept = sessionStorage.getItem(JWT_KEY);
    if (kept) {
      el.jwt.value = kept;
      el.remember.checked = true;
    }
  } catch {
    // Storage switched off: the token just is not kept.
  }
  function keepJwt() {
    try {
      if (el.remember.checked && el.jwt.value.trim()) {
        sessionStorage.setItem(JWT_KEY, el.jwt.value.trim());
      } else {
        sessionStorage.removeItem(JWT_KEY);
      }
    } catch {
      // See above.
    }
  }
  el.jwt.addEventListener('input', keepJwt);
  el.remember.addEventListener('change', keepJwt);

  // --- helpers ---

  /** A JSON request to this service; resolves to the envelope (also for 4xx answers). */
  async function api(method, path, params, jwt) {
    const headers = { Accept: 'application/json' };
    const init = { method, headers, credentials: 'omit', cache: 'no-store', redirect: 'error' };
    if (jwt) headers.Authorization = 'Bearer ' + jwt;
    if (params) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(params);
    }
    const res = await fetch(new URL(path, API), init);
    let body;
    try {
      body = await res.json();
    } catch {
      throw new Error('HTTP ' + res.status + ' without a JSON answer');
    }
    el.raw.textContent = method + ' /' + path + ' → ' + res.status + '\n' + redact(body);
    return body;
  }

  /** The raw view shows the answer without the (long) QR code images. */
  function redact(body) {
    return JSON.stringify(body, (key, value) => (key === 'img' ? '(QR code image)' : value), 2);
  }

  /** A server message as a sentence: one full stop at the end. */
  function sentence(text) {
    return String(text).replace(/[.\s]*$/, '.');
  }

  function errorOf(body) {
    const e = body && body.result && body.result.error;
    return e ? e.message + ' (code ' + e.code + ')' : 'unexpected answer';
  }

  /** Shows a QR code image and its URI (as a link the phone's app can open). */
  function showQr(img, link, uri, imgData, alt) {
    if (typeof imgData === 'string' && imgData.startsWith('data:image/')) {
      img.src = imgData;
      img.alt = alt;
      img.hidden = false;
    } else {
      img.removeAttribute('src');
      img.hidden = true;
    }
    link.textContent = uri;
    link.dataset.uri = uri;
    let scheme = '';
    try {
      scheme = new URL(uri).protocol;
    } catch {
      // Not a URL: text only.
    }
    if (LINK_SCHEMES.includes(scheme)) link.href = uri;
    else link.removeAttribute('href');
  }

  function busy(form, on) {
    for (const b of form.querySelectorAll('button')) b.disabled = on;
  }

  // --- enrollment (admin) ---

  el.enrollForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    el.enrollError.textContent = '';
    el.enrollResult.hidden = true;
    const jwt = el.jwt.value.trim();
    const user = el.enrollForm.elements.user.value.trim();
    const type = el.enrollForm.elements.type.value;
    if (!jwt) return fail(el.enrollError, 'Paste an admin JWT first.', el.jwt);
    if (!user) return fail(el.enrollError, 'Enter a user name.', el.enrollForm.elements.user);
    const params = { type, user, pin: el.enrollForm.elements.pin.value };
    if (type !== 'tiqr') params.genkey = '1';
    busy(el.enrollForm, true);
    try {
      const body = await api('POST', 'token/init', params, jwt);
      if (!body.result || body.result.status !== true) {
        return fail(el.enrollError, 'Enrollment failed: ' + errorOf(body));
      }
      const d = body.detail || {};
      const qr = d.googleurl || d.tiqrenroll || d.pushurl;
      if (!qr) return fail(el.enrollError, 'The answer has no QR code.');
      el.enrollSummary.textContent =
        'Enrolled ' +
        d.serial +
        ' (' +
        type.toUpperCase() +
        ') for ' +
        user +
        '. ' +
        ENROLL_HINTS[type];
      showQr(el.enrollQr, el.enrollLink, qr.value, qr.img, 'QR code to enroll ' + d.serial);
      el.enrollResult.dataset.serial = d.serial;
      el.enrollResult.hidden = false;
      if (!el.loginForm.elements.user.value) el.loginForm.elements.user.value = user;
    } catch (e) {
      fail(el.enrollError, 'Enrollment failed: ' + e.message);
    } finally {
      busy(el.enrollForm, false);
    }
  });

  function fail(target, message, focus) {
    target.textContent = message;
    if (focus) focus.focus();
  }

  // --- login (relying party) ---

  el.loginForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    endLogin();
    const user = el.loginForm.elements.user.value.trim();
    if (!user) return outcome(false, 'Enter a user name.', el.loginForm.elements.user);
    outcome(null, 'Checking…');
    busy(el.loginForm, true);
    try {
      const body = await api('POST', 'validate/check', {
        user,
        pass: el.loginForm.elements.pin.value,
      });
      handleAnswer(body, user);
    } catch (e) {
      outcome(false, 'The check failed: ' + e.message);
    } finally {
      busy(el.loginForm, false);
    }
  });

  /** ACCEPT, CHALLENGE or a refusal, as privacyIDEA's /validate/check answers. */
  function handleAnswer(body, user) {
    const r = body.result || {};
    const d = body.detail || {};
    if (r.status !== true) return outcome(false, 'Error: ' + errorOf(body));
    if (r.value === true) {
      endLogin();
      return outcome(
        true,
        'Login accepted: ' +
          sentence((d.message || 'ACCEPT') + (d.serial ? ' (' + d.serial + ')' : '')),
      );
    }
    if (r.authentication === 'CHALLENGE' && d.transaction_id) return showChallenge(d, user);
    if (r.authentication === 'DECLINED') {
      endLogin();
      return outcome(false, 'Login declined: ' + sentence(d.message || 'declined'));
    }
    outcome(false, 'Login refused: ' + sentence(d.message || r.authentication || 'REJECT'));
    if (login) el.otp.focus();
  }

  function showChallenge(d, user) {
    endLogin();
    outcome(null, '');
    const multi = Array.isArray(d.multi_challenge) ? d.multi_challenge : [];
    login = { user, tid: d.transaction_id, timer: 0, started: Date.now() };
    el.challenge.dataset.transactionId = d.transaction_id;
    el.challengeMessage.textContent = d.message || '';
    const presence = multi.find((c) => c.presence_answer);
    el.challengePresence.hidden = !presence;
    el.challengePresence.textContent = presence
      ? 'In the app, tap: ' + presence.presence_answer
      : '';
    const withQr = multi.find((c) => c.attributes && typeof c.attributes.img === 'string');
    el.challengeQrBox.hidden = !withQr;
    if (withQr) {
      showQr(
        el.challengeQr,
        el.challengeLink,
        withQr.attributes.value || '',
        withQr.attributes.img,
        'QR code to log in with ' + withQr.serial,
      );
    }
    const typed = multi.some((c) => !(c.attributes && c.attributes.hideResponseInput));
    el.otpForm.hidden = !typed;
    el.otp.value = '';
    el.challenge.hidden = false;
    if (multi.some((c) => c.client_mode === 'poll')) {
      setPollStatus('Waiting for the app to answer…');
      login.timer = setTimeout(poll, POLL_MS);
    }
    if (typed) el.otp.focus();
    else el.challengeHeading.focus();
  }

  el.otpForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!login) return;
    const { user, tid } = login;
    busy(el.otpForm, true);
    try {
      const body = await api('POST', 'validate/check', {
        user,
        transaction_id: tid,
        pass: el.otp.value.trim(),
      });
      handleAnswer(body, user);
    } catch (e) {
      outcome(false, 'The check failed: ' + e.message);
    } finally {
      busy(el.otpForm, false);
    }
  });

  /** /validate/polltransaction until answered, declined or given up; then finalize. */
  async function poll() {
    const current = login;
    if (!current) return;
    let body;
    try {
      body = await api(
        'GET',
        'validate/polltransaction?transaction_id=' + encodeURIComponent(current.tid),
      );
    } catch (e) {
      body = null;
      setPollStatus('Could not reach the service (' + e.message + '); trying again…');
    }
    if (login !== current) return;
    el.pollChecked.textContent = 'Last checked ' + new Date().toLocaleTimeString() + '.';
    const status = body && body.detail ? body.detail.challenge_status : '';
    if (body && body.result && body.result.value === true) {
      setPollStatus('The app answered. Finishing the login…');
      return finalize(current);
    }
    if (status === 'declined' || status === 'cancelled') {
      endLogin();
      return outcome(false, 'Login ' + status + ' in the app.');
    }
    if (Date.now() - current.started > POLL_GIVE_UP_MS) {
      endLogin();
      return outcome(false, 'No answer from the app: the login has expired.');
    }
    if (body) setPollStatus('Waiting for the app to answer…');
    current.timer = setTimeout(poll, POLL_MS);
  }

  /** The relying party's last call: the transaction with an empty pass. */
  async function finalize(current) {
    try {
      const body = await api('POST', 'validate/check', {
        user: current.user,
        transaction_id: current.tid,
        pass: '',
      });
      if (login !== current) return;
      // The last call either way: a refusal ends this login too.
      if (!body.result || body.result.value !== true) endLogin();
      handleAnswer(body, current.user);
    } catch (e) {
      endLogin();
      outcome(false, 'The check failed: ' + e.message);
    }
  }

  function setPollStatus(text) {
    // Only changes are announced (the live region would repeat itself every second).
    if (el.pollStatus.textContent !== text) el.pollStatus.textContent = text;
  }

  el.cancel.addEventListener('click', () => {
    endLogin();
    outcome(false, 'Login cancelled.');
    el.loginForm.elements.user.focus();
  });

  function endLogin() {
    if (login) clearTimeout(login.timer);
    login = null;
    el.challenge.hidden = true;
    el.pollStatus.textContent = '';
    el.pollChecked.textContent = '';
  }

  /** ok: true success, false failure, null neutral. */
  function outcome(ok, text, focus) {
    el.loginResult.textContent = text;
    el.loginResult.className = ok === true ? 'success' : ok === false ? 'error' : '';
    if (focus) focus.focus();
  }
})();
