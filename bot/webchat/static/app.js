/* Aiguillage web chat: conversation over Rasa's socket.io channel, orientation cards from the
   `custom.orientation` payload, quick replies, offline queue and reconnection.
   No framework; every text from the network is inserted with textContent (never as HTML). */
(function () {
  'use strict';

  var cfg = window.AIGUILLAGE_CONFIG || {};
  var SESSION_KEY = 'aiguillage.session_id';
  var LOG_KEY = 'aiguillage.transcript';
  var SEEN_KEY = 'aiguillage.last_activity';
  var MAX_AGE_MS = 12 * 3600 * 1000;   // a night shift: older conversations start afresh
  var MAX_ENTRIES = 150;
  var OPEN_REQUEST = '/ouvrir_demande';

  var log = document.getElementById('log');
  var form = document.getElementById('form');
  var input = document.getElementById('message');
  var statusEl = document.getElementById('status');

  // -- storage ----------------------------------------------------------------------------
  // sessionStorage only: the conversation lives as long as the tab (shared ward computers keep
  // nothing once it is closed); the session id is issued by the server (session_confirm).
  function store(key, value) {
    try { sessionStorage.setItem(key, value); } catch (e) { /* private mode: memory only */ }
  }
  function read(key) {
    try { return sessionStorage.getItem(key); } catch (e) { return null; }
  }
  try { [SESSION_KEY, LOG_KEY, SEEN_KEY].forEach(function (k) { localStorage.removeItem(k); }); } catch (e) { /* none */ }
  var last = parseInt(read(SEEN_KEY) || '0', 10);
  var sessionId = read(SESSION_KEY);
  var transcript = [];
  if (!sessionId || !last || Date.now() - last > MAX_AGE_MS) {
    sessionId = null;
    store(SESSION_KEY, '');
    store(LOG_KEY, '[]');
  } else {
    try { transcript = JSON.parse(read(LOG_KEY) || '[]'); } catch (e) { transcript = []; }
  }
  function save() {
    if (transcript.length > MAX_ENTRIES) transcript = transcript.slice(-MAX_ENTRIES);
    store(LOG_KEY, JSON.stringify(transcript));
    store(SEEN_KEY, String(Date.now()));
  }

  // -- small DOM helpers -------------------------------------------------------------------
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function telHref(number) {
    return 'tel:' + String(number).replace(/[^\d+]/g, '');
  }
  function capitalize(s) { return s ? s.charAt(0).toUpperCase() + s.slice(1) : s; }

  // -- rendering ---------------------------------------------------------------------------
  function emergencyBanner(o) {
    var list = (o.urgences && o.urgences.length) ? o.urgences : (o.urgence ? [o.urgence] : []);
    if (!list.length) return null;
    var box = el('section', 'emergency');
    box.setAttribute('role', 'alert');
    box.setAttribute('aria-label', 'Urgence');
    box.appendChild(el('h2', null, 'Urgence : appelez le ' + list[0].numero));
    list.forEach(function (u) {
      var a = el('a', 'call', 'Appeler le ' + u.numero);
      a.href = telHref(u.numero);
      a.setAttribute('aria-label', 'Appeler le ' + u.numero + ' : ' + u.libelle);
      box.appendChild(a);
      box.appendChild(el('p', 'call-label', u.libelle));
    });
    return box;
  }

  function badgeFor(r) {
    if (r.ouvert_maintenant) return el('span', 'badge open', 'Ouvert maintenant');
    var s = (r.statut || 'fermé').replace(/^fermé,\s*/, '');
    return el('span', 'badge closed', capitalize(s));
  }

  function row(dl, label, node) {
    dl.appendChild(el('dt', null, label));
    var dd = el('dd');
    if (typeof node === 'string') dd.textContent = node; else dd.appendChild(node);
    dl.appendChild(dd);
  }

  function card(r) {
    var c = el('article', 'card');
    c.setAttribute('data-service', r.id || '');
    var meta = el('div', 'meta');
    var type = el('span', 'type', r.type);
    type.setAttribute('data-field', 'type');
    meta.appendChild(type);
    meta.appendChild(badgeFor(r));
    c.appendChild(meta);
    c.appendChild(el('h3', null, r.nom));
    if (r.telephone) {
      var a = el('a', 'phone', '☎ ' + r.telephone);
      a.href = telHref(r.telephone);
      a.setAttribute('aria-label', 'Appeler ' + r.nom + ' au ' + r.telephone);
      c.appendChild(a);
    }
    var dl = el('dl');
    if (r.messagerie_securisee) {
      var m = el('a', null, r.messagerie_securisee);
      m.href = 'mailto:' + r.messagerie_securisee;
      row(dl, 'Messagerie sécurisée', m);
    }
    if (r.horaires_du_jour) {
      row(dl, "Aujourd'hui", r.horaires_du_jour + (r.ouvert_maintenant && r.statut ? ' (' + r.statut + ')' : ''));
    }
    if (r.adresse) row(dl, 'Adresse', r.adresse);
    if (dl.childNodes.length) c.appendChild(dl);
    if (r.pourquoi) c.appendChild(el('p', 'why', 'Pourquoi : ' + r.pourquoi));
    if (r.exemple) c.appendChild(el('p', 'why', "Fiche d'exemple (annuaire fictif)."));
    return c;
  }

  function orientationBlock(o, li) {
    if (o.recommandations && o.recommandations.length) {
      var cards = el('div', 'cards');
      o.recommandations.forEach(function (r) { cards.appendChild(card(r)); });
      li.appendChild(cards);
    }
    if (o.ouverts_maintenant && o.ouverts_maintenant.length) {
      var f = el('div', 'fallbacks');
      f.appendChild(el('h3', null, 'Joignables maintenant'));
      var ul = el('ul');
      o.ouverts_maintenant.forEach(function (x) {
        var item = el('li');
        var a = el('a', null, x.libelle + ' — ' + x.numero);
        a.href = telHref(x.numero);
        item.appendChild(a);
        ul.appendChild(item);
      });
      f.appendChild(ul);
      li.appendChild(f);
    }
    if (o.ticket) {
      li.appendChild(el('p', 'ticket', "Demande d'appui " + o.ticket.numero + ' — statut : ' + o.ticket.statut));
    }
  }

  function renderEntry(entry, index) {
    var li = el('li', 'msg ' + entry.kind + (entry.pending ? ' pending' : ''));
    li.setAttribute('data-index', String(index));
    li.appendChild(el('span', 'who', entry.kind === 'user' ? 'Vous :' : 'Aiguillage :'));
    var o = entry.custom && entry.custom.orientation;
    if (entry.kind === 'bot' && o) {
      var banner = emergencyBanner(o);
      if (banner) li.appendChild(banner);     // emergencies first, before any text
    }
    var full = null;
    var lines = (entry.text || '').split('\n');
    if (entry.kind === 'bot' && o && o.recommandations && o.recommandations.length && lines.length > 2) {
      // the cards carry the services: keep the first line and the questions, the rest on demand
      var short = lines.filter(function (l, i) { return i === 0 || /\?\s*$/.test(l); });
      li.appendChild(el('div', 'bubble', short.join('\n')));
      full = el('details', 'full');
      full.appendChild(el('summary', null, 'Réponse complète (texte)'));
      full.appendChild(el('div', 'bubble', entry.text));
    } else if (entry.text) {
      li.appendChild(el('div', 'bubble', entry.text));
    }
    if (entry.kind === 'user' && entry.pending) {
      li.appendChild(el('p', 'pending-note', "En attente d'envoi (hors connexion)"));
    }
    if (entry.kind === 'bot' && o) orientationBlock(o, li);
    if (full) li.appendChild(full);
    if (entry.kind === 'bot' && entry.quick_replies && entry.quick_replies.length) {
      var group = el('div', 'replies');
      group.setAttribute('role', 'group');
      group.setAttribute('aria-label', 'Réponses proposées');
      entry.quick_replies.forEach(function (q) {
        var b = el('button', 'reply' + (q.payload === OPEN_REQUEST ? ' primary' : ''), q.title);
        b.type = 'button';
        b.disabled = !!entry.answered;
        b.addEventListener('click', function () {
          entry.answered = true;
          save();
          Array.prototype.forEach.call(group.querySelectorAll('button'), function (x) { x.disabled = true; });
          send(q.payload, q.title);
        });
        group.appendChild(b);
      });
      li.appendChild(group);
    }
    return li;
  }

  function append(entry) {
    transcript.push(entry);
    save();
    var li = renderEntry(entry, transcript.length - 1);
    log.appendChild(li);
    li.scrollIntoView({ block: entry.kind === 'bot' ? 'start' : 'end' });
    return li;
  }

  function rerender(index) {
    var old = log.querySelector('li[data-index="' + index + '"]');
    if (old) old.replaceWith(renderEntry(transcript[index], index));
  }

  function renderAll() {
    log.textContent = '';
    transcript.forEach(function (e, i) { log.appendChild(renderEntry(e, i)); });
    if (log.lastChild) log.lastChild.scrollIntoView({ block: 'end' });
  }

  // -- connection --------------------------------------------------------------------------
  function setStatus(state, text) {
    statusEl.setAttribute('data-state', state);
    statusEl.textContent = text;
  }

  var confirmed = false;
  var socket = io(cfg.rasaUrl || undefined, {   // same origin: the page server relays socket.io
    path: cfg.socketPath || '/socket.io/',
    transports: ['websocket', 'polling'],
    tryAllTransports: true,
    reconnection: true,
    reconnectionDelay: 500,
    reconnectionDelayMax: 5000,
    timeout: 10000
  });

  function flush() {
    transcript.forEach(function (e, i) {
      if (e.kind === 'user' && e.pending) {
        socket.emit('user_uttered', { message: e.payload });
        e.pending = false;
        rerender(i);
      }
    });
    save();
  }

  socket.on('connect', function () {
    confirmed = false;
    setStatus('connecting', 'Ouverture de la session…');
    socket.emit('session_request', { session_id: sessionId, format: 'aiguillage' });
  });
  socket.on('session_confirm', function (id) {
    if (typeof id === 'string' && id && id !== sessionId) {   // a new id issued by the server
      sessionId = id;
      store(SESSION_KEY, sessionId);
    }
    confirmed = true;
    setStatus('online', 'Connecté');
    flush();
  });
  socket.on('disconnect', function () {
    confirmed = false;
    setStatus('offline', 'Connexion perdue — reconnexion…');
  });
  socket.on('connect_error', function () {
    confirmed = false;
    setStatus('offline', 'Serveur injoignable — reconnexion…');
  });
  socket.io.on('reconnect_attempt', function (n) {
    setStatus('offline', 'Reconnexion… (essai ' + n + ')');
  });
  socket.on('bot_uttered', function (data) {
    if (!data || typeof data !== 'object') return;
    var custom = data.custom || (data.orientation ? { orientation: data.orientation } : null);
    var entry = { kind: 'bot', text: data.text || '', quick_replies: data.quick_replies || data.buttons || [], custom: custom };
    if (!entry.text && !entry.custom && !entry.quick_replies.length) return;
    append(entry);
  });

  function send(payload, title) {
    payload = String(payload || '').trim();
    if (!payload) return;
    var entry = { kind: 'user', text: title || payload, payload: payload, pending: true };
    append(entry);
    if (confirmed && socket.connected) flush();
  }

  // -- user input --------------------------------------------------------------------------
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var text = input.value;
    if (!text.trim()) { input.focus(); return; }
    input.value = '';
    send(text);
    input.focus();
  });
  input.addEventListener('keydown', function (ev) {
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event('submit', { cancelable: true }));
    }
  });
  document.getElementById('open-request').addEventListener('click', function () {
    send(OPEN_REQUEST, "Ouvrir une demande d'appui");
  });
  document.getElementById('new-conversation').addEventListener('click', function () {
    sessionId = null;
    store(SESSION_KEY, '');
    transcript = [];
    save();
    renderAll();
    confirmed = false;
    if (socket.connected) socket.emit('session_request', { session_id: sessionId, format: 'aiguillage' });
    input.focus();
  });

  renderAll();
  window.aiguillage = { socket: socket, sessionId: function () { return sessionId; } };
})();
