// The parfor dashboard: reads the actuator endpoint 'parfor' every second and draws what it says.
// No library and no build step; every element is created with the DOM API, so no text from the server is parsed as HTML.
(function () {
  'use strict';

  var REFRESH_MILLIS = 1000;
  var SPARK_POINTS = 60;

  var config = null;                 // { endpoint, exposed, cancel } from ./config
  var samples = new Map();           // loop id -> [{ t, done }], for the throughput sparkline
  var openFailures = new Set();      // loop ids whose failure list is open
  var failedShown = new Map();       // loop id -> failed count when its failure list was last read
  var cards = new Map();             // loop id -> its element in #running
  var engineTypes = new Map();       // engine name -> type, from the last reading

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    return node;
  }

  function svg(tag) {
    return document.createElementNS('http://www.w3.org/2000/svg', tag);
  }

  function number(n) {
    return Number(n).toLocaleString('en-US');
  }

  function duration(millis) {
    if (millis === null || millis === undefined) {
      return '–';
    }
    var seconds = millis / 1000;
    if (seconds < 60) {
      return seconds.toFixed(seconds < 10 ? 1 : 0) + ' s';
    }
    var minutes = Math.floor(seconds / 60);
    if (minutes < 60) {
      return minutes + ' min ' + Math.round(seconds - minutes * 60) + ' s';
    }
    return Math.floor(minutes / 60) + ' h ' + (minutes % 60) + ' min';
  }

  function rate(perSecond) {
    return (perSecond >= 100 ? number(Math.round(perSecond)) : perSecond.toFixed(1)) + '/s';
  }

  function status(text, isError) {
    var node = document.getElementById('status');
    node.textContent = text;
    node.classList.toggle('error', !!isError);
  }

  function getJson(url) {
    return fetch(url, { headers: { Accept: 'application/json' }, cache: 'no-store' }).then(function (response) {
      if (!response.ok) {
        var error = new Error(url + ' answered ' + response.status);
        error.status = response.status;
        throw error;
      }
      return response.json();
    });
  }

  // ---- running loops -------------------------------------------------------------------------------------------

  function createCard(loop) {
    var card = el('div', 'loop');
    card.dataset.id = loop.id;
    card.dataset.loop = loop.loop;

    var head = el('div', 'head');
    head.appendChild(el('span', 'title', loop.loop + ' on ' + loop.engine));
    head.appendChild(el('span', 'options'));
    if (config && config.cancel) {
      var cancel = el('button', 'cancel', 'Cancel');
      cancel.type = 'button';
      cancel.addEventListener('click', function () { cancelLoop(card, cancel); });
      head.appendChild(cancel);
    }
    card.appendChild(head);

    var row = el('div', 'row');
    var bar = el('div', 'bar');
    bar.appendChild(el('div', 'fill'));
    bar.appendChild(el('span', 'percent'));
    row.appendChild(bar);
    var spark = svg('svg');
    spark.setAttribute('class', 'spark');
    spark.setAttribute('viewBox', '0 0 160 28');
    spark.setAttribute('preserveAspectRatio', 'none');
    var base = svg('line');
    base.setAttribute('class', 'base');
    base.setAttribute('x1', '0');
    base.setAttribute('x2', '160');
    base.setAttribute('y1', '27');
    base.setAttribute('y2', '27');
    spark.appendChild(base);
    spark.appendChild(svg('polygon'));
    spark.appendChild(svg('polyline'));
    var title = svg('title');
    title.textContent = 'Inputs done per second, last ' + SPARK_POINTS + ' readings';
    spark.appendChild(title);
    row.appendChild(spark);
    card.appendChild(row);

    card.appendChild(el('div', 'numbers'));
    card.appendChild(el('div', 'message'));

    var failures = el('details', 'failures');
    failures.appendChild(el('summary'));
    failures.appendChild(el('ol'));
    failures.hidden = true;
    failures.addEventListener('toggle', function () {
      if (failures.open) {
        openFailures.add(loop.id);
        readFailures(card);
      } else {
        openFailures.delete(loop.id);
      }
    });
    card.appendChild(failures);
    return card;
  }

  function updateCard(card, loop) {
    card.dataset.done = String(loop.done);
    card.dataset.total = loop.total === null ? '' : String(loop.total);
    card.dataset.failed = String(loop.failed);

    var known = loop.total !== null && loop.total > 0;
    var percent = known ? Math.min(100, (100 * loop.done) / loop.total) : null;
    card.dataset.percent = percent === null ? '' : percent.toFixed(1);
    var bar = card.querySelector('.bar');
    bar.classList.toggle('unknown', !known);
    bar.querySelector('.fill').style.width = known ? percent.toFixed(1) + '%' : '';
    bar.querySelector('.percent').textContent = known ? percent.toFixed(1) + ' %' : 'total not known yet';

    var parts = [number(loop.done) + (known ? ' / ' + number(loop.total) : '') + ' done'];
    if (loop.failed > 0) {
      parts.push(number(loop.failed) + ' failed');
    }
    if (loop.retried > 0) {
      parts.push(number(loop.retried) + ' retried');
    }
    parts.push(rate(loop.rate));
    parts.push(loop.etaMillis === null ? 'ETA –' : 'ETA ' + duration(loop.etaMillis));
    parts.push(duration(loop.elapsedMillis) + ' so far');
    card.querySelector('.numbers').textContent = parts.join(' · ');

    drawSpark(card, loop);

    var failures = card.querySelector('details.failures');
    failures.hidden = loop.failed === 0;
    failures.querySelector('summary').textContent =
        number(loop.failed) + (loop.failed === 1 ? ' input failed' : ' inputs failed');
    if (failures.open && failedShown.get(loop.id) !== loop.failed) {
      readFailures(card);
    }
  }

  function drawSpark(card, loop) {
    var now = performance.now();
    var list = samples.get(loop.id) || [];
    list.push({ t: now, done: loop.done });
    if (list.length > SPARK_POINTS + 1) {
      list.shift();
    }
    samples.set(loop.id, list);
    var rates = [];
    for (var i = 1; i < list.length; i++) {
      var seconds = (list[i].t - list[i - 1].t) / 1000;
      rates.push(seconds > 0 ? (list[i].done - list[i - 1].done) / seconds : 0);
    }
    // Spread the readings over the whole width, with some headroom above the highest rate.
    var max = Math.max.apply(null, rates.concat([1])) * 1.25;
    var points = rates.map(function (value, index) {
      var x = rates.length === 1 ? 160 : (index * 160) / (rates.length - 1);
      var y = 27 - (value / max) * 25;
      return x.toFixed(1) + ',' + y.toFixed(1);
    });
    card.querySelector('.spark polyline').setAttribute('points', points.join(' '));
    card.querySelector('.spark polygon').setAttribute('points',
        points.length === 0 ? '' : '0,27 ' + points.join(' ') + ' 160,27');
    card.dataset.sparkPoints = String(points.length);
  }

  function readFailures(card) {
    var id = card.dataset.id;
    getJson(config.endpoint + '/' + encodeURIComponent(id)).then(function (loop) {
      failedShown.set(id, loop.failed);
      var list = card.querySelector('details.failures ol');
      list.replaceChildren();
      loop.failures.forEach(function (failure) {
        var item = el('li', 'failure', '#' + failure.index + ' (' + failure.input + '): ' + failure.exception
            + (failure.message === null ? '' : ': ' + failure.message)
            + (failure.attempts > 1 ? ' after ' + failure.attempts + ' attempts' : ''));
        item.dataset.index = String(failure.index);
        list.appendChild(item);
      });
      if (loop.failed > loop.failures.length) {
        list.appendChild(el('li', 'more', 'and ' + number(loop.failed - loop.failures.length) + ' more'));
      }
      showOptions(card, loop);
    }).catch(function (error) {
      card.querySelector('.message').textContent = 'Could not read the failures: ' + error.message;
    });
  }

  function cancelLoop(card, button) {
    var name = card.dataset.loop;
    if (!window.confirm('Cancel loop \'' + name + '\'? Its caller gets a ParallelForException (CANCELLED).')) {
      return;
    }
    button.disabled = true;
    button.textContent = 'Cancelling…';
    fetch(config.endpoint + '/' + encodeURIComponent(card.dataset.id), { method: 'DELETE' }).then(function (response) {
      if (response.status === 404) {
        throw new Error('the loop is no longer known');
      }
      if (!response.ok) {
        throw new Error('the endpoint answered ' + response.status);
      }
      return response.json();
    }).then(function (answer) {
      card.dataset.cancelRequested = 'true';
      if (answer.cancelled) {
        button.textContent = 'Cancelled';
      } else {
        button.textContent = 'Not cancelled';
        card.querySelector('.message').textContent = 'Not cancelled: ' + answer.message;
      }
    }).catch(function (error) {
      button.disabled = false;
      button.textContent = 'Cancel';
      card.querySelector('.message').textContent = 'Cancel failed: ' + error.message;
    });
  }

  function drawRunning(running) {
    var container = document.getElementById('running');
    var seen = new Set();
    running.forEach(function (loop, index) {
      seen.add(loop.id);
      var card = cards.get(loop.id);
      if (!card) {
        card = createCard(loop);
        cards.set(loop.id, card);
        readOptions(card);
      }
      if (container.children[index] !== card) {
        container.insertBefore(card, container.children[index] || null);
      }
      updateCard(card, loop);
    });
    cards.forEach(function (card, id) {
      if (!seen.has(id)) {
        card.remove();
        cards.delete(id);
        samples.delete(id);
        openFailures.delete(id);
        failedShown.delete(id);
      }
    });
    document.getElementById('no-running').hidden = running.length > 0;
  }

  function showOptions(card, loop) {
    var type = engineTypes.get(loop.engine);
    card.querySelector('.options').textContent =
        '(' + (type ? type + ', ' : '') + 'parallelism ' + loop.parallelism + ')';
  }

  function readOptions(card) {
    getJson(config.endpoint + '/' + encodeURIComponent(card.dataset.id)).then(function (loop) {
      showOptions(card, loop);
    }).catch(function () {
      // The loop may have ended between two readings; the next one removes its card.
    });
  }

  // ---- recent loops and engines --------------------------------------------------------------------------------

  function drawRecent(recent) {
    var body = document.querySelector('#recent tbody');
    var rows = recent.map(function (loop) {
      var row = el('tr');
      row.dataset.id = loop.id;
      row.dataset.loop = loop.loop;
      row.dataset.outcome = loop.outcome;
      row.appendChild(el('td', 'name', loop.loop));
      row.appendChild(el('td', null, loop.engine));
      var outcome = el('td');
      outcome.appendChild(el('span', 'outcome ' + loop.outcome, loop.outcome));
      row.appendChild(outcome);
      row.appendChild(el('td', null, number(loop.done) + (loop.total === null ? '' : ' / ' + number(loop.total))));
      row.appendChild(el('td', loop.failed > 0 ? 'failed' : null, number(loop.failed)));
      row.appendChild(el('td', null, duration(loop.elapsedMillis)));
      row.appendChild(el('td', null, new Date(loop.finishedAt).toLocaleTimeString()));
      return row;
    });
    body.replaceChildren.apply(body, rows);
    document.getElementById('no-recent').hidden = recent.length > 0;
  }

  function drawEngines(engines, defaultEngine) {
    var body = document.querySelector('#engines tbody');
    var rows = engines.map(function (engine) {
      var row = el('tr');
      row.dataset.engine = engine.name;
      row.appendChild(el('td', null, engine.name + (engine.name === defaultEngine ? ' (default)' : '')));
      row.appendChild(el('td', null, engine.type));
      row.appendChild(el('td', null, number(engine.parallelism)));
      row.appendChild(el('td', null, engine.active < 0 ? '–' : number(engine.active)));
      row.appendChild(el('td', null, engine.queued < 0 ? '–' : number(engine.queued)));
      var load = el('td');
      if (engine.active >= 0) {
        var bar = el('div', 'load');
        bar.title = engine.active + ' of ' + engine.parallelism + ' busy';
        var fill = el('div', 'fill');
        fill.style.width = Math.min(100, (100 * engine.active) / Math.max(1, engine.parallelism)) + '%';
        bar.appendChild(fill);
        load.appendChild(bar);
      } else {
        load.textContent = 'not reported';
      }
      row.appendChild(load);
      return row;
    });
    body.replaceChildren.apply(body, rows);
  }

  // ---- polling -------------------------------------------------------------------------------------------------

  function poll() {
    getJson(config.endpoint).then(function (parfor) {
      parfor.engines.forEach(function (engine) { engineTypes.set(engine.name, engine.type); });
      drawRunning(parfor.running);
      drawRecent(parfor.recent);
      drawEngines(parfor.engines, parfor.defaultEngine);
      status('Updated ' + new Date().toLocaleTimeString() + ' · ' + parfor.running.length + ' running'
          + (config.cancel ? '' : ' · cancelling is off (management.endpoint.parfor.access=unrestricted turns it on)'));
    }).catch(function (error) {
      status(error.status === 404
          ? 'The parfor endpoint is not exposed: add parfor to management.endpoints.web.exposure.include'
          : 'Cannot read the parfor endpoint: ' + error.message, true);
    }).finally(function () {
      window.setTimeout(poll, REFRESH_MILLIS);
    });
  }

  function start() {
    getJson('config').then(function (answer) {
      config = answer;
      document.getElementById('endpoint-path').textContent =
          new URL(config.endpoint, window.location.href).pathname;
      document.body.dataset.cancel = String(config.cancel);
      poll();
    }).catch(function (error) {
      status('Cannot read the dashboard configuration: ' + error.message, true);
      window.setTimeout(start, 5 * REFRESH_MILLIS);
    });
  }

  start();
})();
