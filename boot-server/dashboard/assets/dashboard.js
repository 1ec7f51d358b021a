// Octofleet dashboard: live updates over server-sent events, filters, and the action dialogs.
// Plain script, no build step. Everything user-controlled arrives as server-escaped HTML fragments or is
// set with textContent; nothing here builds HTML from strings.
(() => {
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? '';
  const region = document.getElementById('live-region');

  // --- Times: the viewer's zone, UTC on hover (the server renders UTC) ---
  const clock = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
  function ageText(ms) {
    const s = Math.max(0, Math.round(ms / 1000));
    if (s < 60) return `${s}s`;
    const m = Math.floor(s / 60);
    if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
    const h = Math.floor(m / 60);
    if (h < 48) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
    return `${Math.floor(h / 24)}d ${h % 24}h`;
  }
  function localizeTimes(root) {
    for (const el of root.querySelectorAll('time[datetime]')) {
      const at = new Date(el.getAttribute('datetime'));
      if (Number.isNaN(at.getTime())) continue;
      el.textContent = el.classList.contains('age') ? ageText(Date.now() - at.getTime()) : clock.format(at);
    }
  }
  localizeTimes(document);
  setInterval(() => {
    for (const el of document.querySelectorAll('time.age')) {
      el.textContent = ageText(Date.now() - new Date(el.getAttribute('datetime')).getTime());
    }
  }, 15_000);

  // --- Toasts ---
  const toast = document.getElementById('toast');
  let toastTimer;
  // A toast stays until dismissed when it carries something to copy (a password shown once).
  toast.addEventListener('click', () => {
    toast.hidden = true;
  });
  function say(text, link, sticky = false) {
    toast.textContent = text;
    if (link) {
      const a = document.createElement('a');
      a.href = link.href;
      a.className = 'toast-link';
      a.textContent = link.text;
      toast.append(' ', a);
    }
    toast.hidden = false;
    clearTimeout(toastTimer);
    if (sticky) return;
    toastTimer = setTimeout(() => {
      toast.hidden = true;
    }, 8000);
  }

  // --- Filters (queue): search box and state, kept in the URL ---
  const q = document.getElementById('q');
  const stateFilter = document.getElementById('state-filter');
  function applyFilters() {
    if (!region || !q || !stateFilter) return;
    const words = q.value.toLowerCase().split(/\s+/).filter(Boolean);
    const want = stateFilter.value;
    for (const group of region.querySelectorAll('[data-group]')) {
      let shown = 0;
      for (const row of group.querySelectorAll('tr[data-id]')) {
        const inState =
          !want || row.dataset.state === want || (want === 'finished' && group.dataset.group === 'finished');
        const inGroup = want !== 'finished' || group.dataset.group === 'finished';
        const text = row.dataset.search ?? '';
        const ok = inState && inGroup && words.every((w) => text.includes(w.replace(/^#/, '')));
        row.hidden = !ok;
        if (ok) shown++;
      }
      group.hidden = shown === 0;
    }
  }
  if (q && stateFilter) {
    const params = new URLSearchParams(location.search);
    q.value = params.get('q') ?? '';
    stateFilter.value = params.get('state') ?? '';
    const remember = () => {
      const p = new URLSearchParams();
      if (q.value) p.set('q', q.value);
      if (stateFilter.value) p.set('state', stateFilter.value);
      history.replaceState(null, '', p.size ? `?${p}` : location.pathname);
      applyFilters();
    };
    q.addEventListener('input', remember);
    stateFilter.addEventListener('change', remember);
    document.getElementById('filters').addEventListener('submit', (e) => e.preventDefault());
    applyFilters();
  }

  // --- Live region: re-fetch the server-rendered fragment when something changed ---
  let fetching = false;
  let pending = false;
  async function refresh() {
    if (!region) return;
    if (fetching) {
      pending = true;
      return;
    }
    fetching = true;
    try {
      const res = await fetch(region.dataset.fragment, {
        headers: { accept: 'text/html' },
        redirect: 'manual',
      });
      if (res.type === 'opaqueredirect' || res.status === 401) {
        location.href = '/login';
        return;
      }
      if (!res.ok) return;
      const html = await res.text();
      const focusedAction = document.activeElement?.closest?.('#live-region') ? document.activeElement : null;
      const focusKey = focusedAction?.dataset?.action
        ? `[data-action="${focusedAction.dataset.action}"][data-id="${focusedAction.dataset.id}"]`
        : null;
      const doc = new DOMParser().parseFromString(`<body>${html}</body>`, 'text/html');
      region.replaceChildren(...doc.body.childNodes);
      localizeTimes(region);
      applyFilters();
      if (focusKey) region.querySelector(focusKey)?.focus();
    } finally {
      fetching = false;
      if (pending) {
        // A burst (a boot storm's callbacks) re-renders at most about three times a second.
        pending = false;
        setTimeout(refresh, 300);
      }
    }
  }

  // --- Live stream ---
  const live = document.getElementById('live');
  function showLive(state, text) {
    if (!live) return;
    live.dataset.state = state;
    live.querySelector('.text').textContent = text;
  }
  if (live && region) {
    live.hidden = false;
    const after = document.body.dataset.lastEventId;
    const source = new EventSource(`/api/v1/events/stream?lastEventId=${encodeURIComponent(after ?? '')}`);
    const only = region.dataset.deployment;
    source.addEventListener('open', () => showLive('live', 'Live'));
    source.addEventListener('error', () => showLive('down', 'Reconnecting…'));
    source.addEventListener('deployment', (e) => {
      const data = JSON.parse(e.data);
      if (only && String(data.deploymentId) !== only) return;
      refresh();
    });
    // Too much was missed while away: start from a fresh page.
    source.addEventListener('reset', () => location.reload());
    addEventListener('pagehide', () => source.close());
  }

  // --- Calls to the API with this session's CSRF token ---
  async function api(path, body) {
    const res = await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf, accept: 'application/json' },
      body: JSON.stringify(body ?? {}),
    });
    const json = await res.json().catch(() => ({}));
    if (res.status === 401) location.href = '/login';
    return { ok: res.ok, status: res.status, json };
  }
  function showError(el, text) {
    el.textContent = text;
    el.hidden = !text;
  }
  for (const dialog of document.querySelectorAll('dialog')) {
    for (const b of dialog.querySelectorAll('[data-close]'))
      b.addEventListener('click', () => dialog.close());
  }

  // --- Approve / reject / cancel ---
  const decideDialog = document.getElementById('decide-dialog');
  const decideForm = document.getElementById('decide-form');
  let deciding = null;
  document.addEventListener('click', async (e) => {
    const button = e.target.closest?.('button[data-action]');
    if (!button) return;
    const { action, id, host } = button.dataset;
    if (action === 'approve') {
      button.disabled = true;
      const res = await api(`/api/v1/deployments/${id}/approve`);
      button.disabled = false;
      if (res.ok) say(`Deployment #${id} (${host}) approved.`);
      else say(res.json.detail ?? `Approving #${id} failed (${res.status}).`);
      refresh();
      return;
    }
    deciding = { action, id, host };
    decideDialog.querySelector('h2').textContent =
      action === 'reject' ? `Reject deployment #${id} (${host})?` : `Cancel deployment #${id} (${host})?`;
    document.getElementById('decide-confirm').textContent =
      action === 'reject' ? 'Reject' : 'Cancel deployment';
    decideForm.reset();
    showError(document.getElementById('decide-error'), '');
    decideDialog.showModal();
  });
  decideForm?.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!deciding) return;
    const reason = decideForm.elements.reason.value.trim();
    const res = await api(`/api/v1/deployments/${deciding.id}/${deciding.action}`, reason ? { reason } : {});
    if (!res.ok) {
      showError(document.getElementById('decide-error'), res.json.detail ?? `failed (${res.status})`);
      return;
    }
    decideDialog.close();
    say(
      `Deployment #${deciding.id} (${deciding.host}) ${deciding.action === 'reject' ? 'rejected' : 'cancelled'}.`,
    );
    deciding = null;
    refresh();
  });

  // --- New deployment ---
  const newDialog = document.getElementById('new-dialog');
  const newForm = document.getElementById('new-form');
  const osSelect = document.getElementById('new-os');
  function fillEditions() {
    const list = document.getElementById('new-editions');
    list.replaceChildren();
    for (const name of (osSelect.selectedOptions[0]?.dataset.editions ?? '').split(' ').filter(Boolean)) {
      const option = document.createElement('option');
      option.value = name;
      list.append(option);
    }
  }
  osSelect?.addEventListener('change', fillEditions);
  document.getElementById('new-deployment')?.addEventListener('click', () => {
    newForm.reset();
    fillEditions();
    showError(document.getElementById('new-error'), '');
    newDialog.showModal();
  });
  newForm?.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = {};
    for (const name of ['machine', 'mac', 'os', 'edition', 'hostname', 'profile']) {
      const value = newForm.elements[name]?.value.trim();
      if (value) body[name] = value;
    }
    const submit = newForm.querySelector('button[type="submit"]');
    submit.disabled = true;
    const res = await api('/api/v1/deployments', body);
    submit.disabled = false;
    if (!res.ok) {
      showError(document.getElementById('new-error'), res.json.detail ?? `failed (${res.status})`);
      return;
    }
    newDialog.close();
    const d = res.json;
    say(
      `Deployment #${d.id} requested: ${d.os} on ${d.mac} as ${d.hostname}, waiting for approval.` +
        (d.password ? ` Password (shown once): ${d.password}` : ''),
      { href: `/deployments/${d.id}`, text: 'Open' },
      Boolean(d.password),
    );
    refresh();
  });
})();
