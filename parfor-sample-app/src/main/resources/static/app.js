// The sample's page: buttons that call the demo endpoints, and the loops read from /actuator/parfor.
'use strict';

const POLL_MILLIS = 500;
const numbers = new Intl.NumberFormat('en');

function $(id) {
  return document.getElementById(id);
}

function element(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (name === 'class') {
      node.className = value;
    } else if (name.startsWith('data-')) {
      node.setAttribute(name, value);
    } else {
      node[name] = value;
    }
  }
  for (const child of children) {
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function duration(millis) {
  if (millis === null || millis === undefined) {
    return '–';
  }
  if (millis < 1000) {
    return Math.round(millis) + ' ms';
  }
  if (millis < 60_000) {
    return (millis / 1000).toFixed(1) + ' s';
  }
  return Math.floor(millis / 60_000) + ' min ' + Math.round((millis % 60_000) / 1000) + ' s';
}

function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== '' && value !== null && value !== undefined) {
      search.set(name, value);
    }
  }
  return search.toString();
}

// A failed request shows the problem detail the application sent (it names the parameter and the fix).
async function call(url, options) {
  const response = await fetch(url, options);
  if (!response.ok) {
    let detail = response.status + ' ' + response.statusText;
    try {
      const problem = await response.json();
      detail = problem.detail || detail;
    } catch (ignored) {
      // not JSON: keep the status line
    }
    throw new Error(detail);
  }
  return response;
}

// The JSON of the last demo call, as the endpoint sent it, under "Last response".
async function json(response, url) {
  const report = await response.json();
  $('last-call').textContent = url;
  $('last-json').textContent = JSON.stringify(report, null, 2);
  return report;
}

function busy(button, work) {
  return async () => {
    button.disabled = true;
    try {
      await work();
    } finally {
      button.disabled = false;
    }
  };
}

function fail(target, error) {
  target.replaceChildren(element('span', {class: 'error'}, error.message));
}

// ---------------------------------------------------------------------------------------------------------------
// Demos

async function renderMandelbrot() {
  const result = $('mandelbrot-result');
  result.textContent = 'Rendering…';
  try {
    const response = await call('mandelbrot.png?' + query({
      engine: $('mandelbrot-engine').value,
      parallelism: $('mandelbrot-parallelism').value,
      size: $('mandelbrot-size').value,
      iterations: $('mandelbrot-iterations').value,
    }));
    const image = $('mandelbrot-image');
    const previous = image.src;
    image.src = URL.createObjectURL(await response.blob());
    image.hidden = false;
    $('mandelbrot-placeholder').hidden = true;
    if (previous.startsWith('blob:')) {
      URL.revokeObjectURL(previous);
    }
    const headers = response.headers;
    result.textContent = headers.get('X-Parfor-Tiles') + ' tiles on ' + headers.get('X-Parfor-Engine') + ' in '
        + duration(Number(headers.get('X-Parfor-Elapsed-Millis'))) + ' (loop ' + headers.get('X-Parfor-Loop-Id')
        + ')';
  } catch (error) {
    fail(result, error);
  }
}

async function callSlowService() {
  const result = $('io-result');
  result.textContent = 'Calling…';
  try {
    const url = 'io?' + query({
      engine: $('io-engine').value, calls: $('io-calls').value, ms: $('io-ms').value,
    });
    const report = await json(await call(url), 'GET /' + url);
    result.textContent = numbers.format(report.calls) + ' calls on ' + report.loop.engine + ': '
        + duration(report.wallMillis) + ' wall time, against ' + duration(report.sumOfCallMillis)
        + ' one after another (' + report.speedup + '× faster; up to ' + report.mostCallsInFlight
        + ' calls in flight at once)';
  } catch (error) {
    fail(result, error);
  }
}

async function countDataset() {
  const result = $('dataset-result');
  const histogram = $('dataset-histogram');
  result.textContent = 'Counting…';
  histogram.replaceChildren();
  try {
    const url = 'dataset/histogram?' + query({
      engine: $('dataset-engine').value, slices: $('dataset-slices').value,
    });
    const report = await json(await call(url), 'GET /' + url);
    result.replaceChildren(element('p', {},
        numbers.format(report.size) + ' numbers (' + report.tableMegabytes + ' MB) in ' + report.slices
        + ' tasks on ' + report.loop.engine + ', ' + duration(report.loop.elapsedMillis) + '; table instances seen by'
        + ' the tasks: ' + report.tableInstancesSeen + '; mean ' + report.mean.toFixed(1)));
    const highest = Math.max(...report.histogram, 1);
    report.histogram.forEach((count, bucket) => {
      histogram.append(element('div', {
        class: 'column',
        title: '[' + numbers.format(bucket * report.bucketWidth) + ', '
            + numbers.format((bucket + 1) * report.bucketWidth) + '): ' + numbers.format(count),
        style: 'height:' + (100 * count / highest).toFixed(1) + '%',
      }));
    });
  } catch (error) {
    fail(result, error);
  }
}

async function runOnCluster() {
  const result = $('cluster-result');
  result.textContent = 'Running…';
  try {
    const url = 'cluster?' + query({
      tasks: $('cluster-tasks').value, ms: $('cluster-ms').value,
    });
    const report = await json(await call(url), 'GET /' + url);
    const list = element('ul', {class: 'members'});
    for (const member of report.members) {
      list.append(element('li', {'data-member': member},
          member + ': ' + numbers.format(report.tasksPerMember[member] || 0) + ' tasks'));
    }
    result.replaceChildren(
        element('p', {}, numbers.format(report.tasks) + ' tasks on ' + report.members.length + ' member(s) in '
            + duration(report.loop.elapsedMillis) + ':'),
        list);
  } catch (error) {
    fail(result, error);
  }
}

async function startSlowDemo() {
  const result = $('slow-result');
  try {
    const url = 'demo/slow?' + query({
      tasks: $('slow-tasks').value, ms: $('slow-ms').value,
    });
    const started = await json(await call(url, {method: 'POST'}), 'POST /' + url);
    result.textContent = 'Started ' + started.loop + ': ' + started.tasks + ' inputs of ' + started.delayMillis
        + ' ms each.';
  } catch (error) {
    fail(result, error);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Loops, from /actuator/parfor

function showRunning(running) {
  const container = $('running');
  if (running.length === 0) {
    container.replaceChildren(element('p', {class: 'empty'}, 'No loop is running.'));
    return;
  }
  container.replaceChildren(...running.map((loop) => {
    const known = loop.total !== null && loop.total !== undefined;
    const percent = known && loop.total > 0 ? Math.min(100, 100 * loop.done / loop.total) : 0;
    const bar = element('div', {class: known ? 'bar' : 'bar unknown'},
        element('div', {class: 'fill', style: 'width:' + percent.toFixed(1) + '%'}));
    const counts = numbers.format(loop.done) + ' / ' + (known ? numbers.format(loop.total) : '?')
        + (loop.failed > 0 ? ', ' + loop.failed + ' failed' : '');
    return element('div', {
          class: 'loop',
          'data-id': loop.id,
          'data-loop': loop.loop,
          'data-done': String(loop.done),
          'data-total': known ? String(loop.total) : '',
        },
        element('div', {class: 'title'},
            element('strong', {}, loop.loop), ' on ', element('code', {}, loop.engine)),
        bar,
        element('div', {class: 'numbers'},
            element('span', {class: 'done'}, counts),
            element('span', {class: 'rate'}, loop.rate.toFixed(1) + ' /s'),
            element('span', {class: 'eta'}, 'ETA ' + duration(loop.etaMillis)),
            element('span', {class: 'elapsed'}, duration(loop.elapsedMillis) + ' so far')));
  }));
}

function showRecent(recent) {
  $('recent').tBodies[0].replaceChildren(...recent.map((loop) => element('tr', {
        'data-id': loop.id, 'data-loop': loop.loop, 'data-outcome': loop.outcome,
      },
      element('td', {}, loop.loop),
      element('td', {}, loop.engine),
      element('td', {class: 'outcome ' + loop.outcome}, loop.outcome),
      element('td', {}, numbers.format(loop.done) + ' / '
          + (loop.total === null || loop.total === undefined ? '?' : numbers.format(loop.total))),
      element('td', {}, numbers.format(loop.failed)),
      element('td', {}, duration(loop.elapsedMillis)),
      element('td', {}, new Date(loop.finishedAt).toLocaleTimeString()))));
}

function showEngines(engines) {
  $('engines').tBodies[0].replaceChildren(...engines.map((engine) => element('tr', {'data-engine': engine.name},
      element('td', {}, engine.name),
      element('td', {}, engine.type),
      element('td', {}, engine.parallelism),
      element('td', {}, engine.active < 0 ? '–' : engine.active),
      element('td', {}, engine.queued < 0 ? '–' : engine.queued))));
}

// Fills each engine menu once, keeping the demo's default first.
function fillEngineMenus(engines, defaultEngine) {
  for (const select of document.querySelectorAll('select.engine-select')) {
    if (select.options.length > 0) {
      continue;
    }
    const preferred = select.dataset.default;
    if (preferred === '') {
      select.append(element('option', {value: ''}, 'as configured'));
    }
    for (const engine of engines) {
      select.append(element('option', {value: engine.name, selected: engine.name === preferred},
          engine.name + ' (' + engine.type + ')'));
    }
  }
}

async function poll() {
  try {
    const state = await (await call('actuator/parfor')).json();
    fillEngineMenus(state.engines, state.defaultEngine);
    showRunning(state.running);
    showRecent(state.recent);
    showEngines(state.engines);
    $('status').textContent = 'Default engine: ' + state.defaultEngine + ' · ' + state.running.length
        + ' loop(s) running · updated ' + new Date().toLocaleTimeString();
    $('status').classList.remove('error');
  } catch (error) {
    $('status').textContent = 'Cannot read /actuator/parfor: ' + error.message;
    $('status').classList.add('error');
  } finally {
    setTimeout(poll, POLL_MILLIS);
  }
}

$('run-mandelbrot').addEventListener('click', busy($('run-mandelbrot'), renderMandelbrot));
$('run-io').addEventListener('click', busy($('run-io'), callSlowService));
$('run-dataset').addEventListener('click', busy($('run-dataset'), countDataset));
$('run-cluster').addEventListener('click', busy($('run-cluster'), runOnCluster));
$('start-slow').addEventListener('click', busy($('start-slow'), startSlowDemo));
poll();
