// The front end of hocso serve's pages: ipywidgets' own widget manager on a kernel connection.
//
// Voila's page runs JupyterLab's application machinery (4 MB of JavaScript, 95 requests) to
// show a few buttons; on a phone-class CPU that takes most of the time to a usable page. The
// apps need only the widgets of @jupyter-widgets/controls and a kernel connection from
// @jupyterlab/services: this file joins the two, and nothing else. The server renders every
// other output (the title, text) into the page itself.
import * as base from '@jupyter-widgets/base';
import { ManagerBase } from '@jupyter-widgets/base-manager';
import * as controls from '@jupyter-widgets/controls';
import { CommsOverSubshells } from '@jupyterlab/services/lib/kernel/comm';
import { KernelConnection } from '@jupyterlab/services/lib/kernel/default';
import { ServerConnection } from '@jupyterlab/services/lib/serverconnection';
import { Widget } from '@lumino/widgets';

import '@jupyter-widgets/base/css/index.css';
import '@jupyter-widgets/controls/css/widgets.css';

// Texts a visitor may see; the page's own loading text is in the template.
const TEXT = {
  lost: 'Mất kết nối với máy chủ. Hãy tải lại trang để dùng tiếp.',
  failed: 'Không mở được ứng dụng. Hãy tải lại trang; nếu vẫn lỗi, xin báo cho người quản lý máy chủ.',
  reload: 'Tải lại trang',
};

// The widget modules the apps use; the version is checked by the kernel's side (protocol 2).
const MODULES = {
  '@jupyter-widgets/base': base,
  '@jupyter-widgets/controls': controls,
};

/** ipywidgets' manager, its comms carried by one kernel connection. */
export class PageWidgetManager extends ManagerBase {
  constructor(kernel) {
    super();
    this.kernel = kernel;
    // Widgets the kernel creates later (a chart drawn after a click) open their own comm.
    kernel.registerCommTarget(this.comm_target_name, (comm, msg) =>
      this.handle_comm_open(new base.shims.services.Comm(comm), msg)
    );
  }

  async loadClass(className, moduleName, moduleVersion) {
    const module = MODULES[moduleName];
    if (module === undefined || module[className] === undefined) {
      throw new Error(`Widget ${className} of ${moduleName}@${moduleVersion} is not in this page`);
    }
    return module[className];
  }

  // A description marked as HTML (description_allow_html) is shown as its text: the apps use
  // none, and ipywidgets' sanitizer would bring 240 KiB of HTML and CSS parsers to every page
  // (build.mjs leaves it out). Escaping is safe whatever the kernel sends.
  inline_sanitize(source) {
    return controls.escape_html(source);
  }

  async _create_comm(targetName, modelId, data, metadata, buffers) {
    const comm = this.kernel.createComm(targetName, modelId);
    if (data || metadata) {
      comm.open(data, metadata, buffers);
    }
    return new base.shims.services.Comm(comm);
  }

  async _get_comm_info() {
    const reply = await this.kernel.requestCommInfo({ target_name: this.comm_target_name });
    return reply.content.status === 'ok' ? reply.content.comms : {};
  }
}

function pageConfig() {
  const element = document.getElementById('jupyter-config-data');
  return JSON.parse(element.textContent);
}

function settingsFor(baseUrl) {
  const http = new URL(baseUrl, window.location.href);
  const ws = new URL(http.href);
  ws.protocol = http.protocol === 'https:' ? 'wss:' : 'ws:';
  return ServerConnection.makeSettings({ baseUrl: http.href, wsUrl: ws.href, appendToken: false });
}

/** A message at the top of the page, with a button that reloads it. */
function showProblem(text) {
  if (document.querySelector('.hocso-problem')) {
    return;
  }
  const box = document.createElement('div');
  box.className = 'hocso-problem';
  box.setAttribute('role', 'alert');
  const message = document.createElement('p');
  message.textContent = text;
  const again = document.createElement('button');
  again.type = 'button';
  again.textContent = TEXT.reload;
  again.addEventListener('click', () => window.location.reload());
  box.append(message, again);
  const cells = document.getElementById('rendered_cells') || document.body;
  cells.prepend(box);
}

function cookie(name) {
  const match = document.cookie.match(new RegExp(`(?:^|; )${name}=([^;]*)`));
  return match ? decodeURIComponent(match[1]) : '';
}

/** Free the page's kernel when the visitor leaves, so the place goes to the next one. */
function shutDownOnLeave(settings, kernelId, kernel) {
  window.addEventListener('pagehide', () => {
    kernel.dispose();
    fetch(`${settings.baseUrl}voila/api/shutdown/${kernelId}`, {
      method: 'POST',
      keepalive: true, // the request outlives the page
      credentials: 'same-origin',
      headers: { 'X-XSRFToken': cookie('_xsrf') },
    }).catch(() => undefined); // a server already gone culls nothing more
  });
}

async function renderWidgets(manager) {
  const hosts = Array.from(document.querySelectorAll('.hocso-widget[data-model-id]'));
  if (hosts.length === 0) {
    // Every app shows widgets: a page without any lost them on the server's side.
    throw new Error('no widget on the page');
  }
  await Promise.all(
    hosts.map(async (host) => {
      const model = await manager.get_model(host.dataset.modelId);
      const view = await manager.create_view(model);
      host.replaceChildren();
      Widget.attach(view.luminoWidget, host);
    })
  );
}

export async function start() {
  // Marks for bench/apps.py: when this script began, and when the widgets were drawn.
  performance.mark('hocso-start');
  const config = pageConfig();
  const settings = settingsFor(config.baseUrl);
  const kernel = new KernelConnection({
    model: { id: config.kernelId, name: 'python3' },
    serverSettings: settings,
    handleComms: true,
    // Voila lets only comm and kernel-info messages through: a subshell is never created.
    commsOverSubshells: CommsOverSubshells.Disabled,
  });
  shutDownOnLeave(settings, config.kernelId, kernel);
  let connected = false;
  kernel.connectionStatusChanged.connect((_, state) => {
    if (state === 'connected') {
      connected = true;
    } else if (state === 'disconnected' && connected) {
      showProblem(TEXT.lost);
    }
  });
  kernel.statusChanged.connect((_, state) => {
    if (state === 'dead') {
      showProblem(TEXT.lost);
    }
  });
  const manager = new PageWidgetManager(kernel);
  try {
    // Every widget's state in one message over ipywidgets' control comm.
    await manager._loadFromKernel();
    await renderWidgets(manager);
    document.body.classList.add('hocso-ready');
    performance.mark('hocso-ready');
  } catch (error) {
    console.warn('hocso: widgets not shown', error);
    showProblem(TEXT.failed);
  }
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', start);
} else {
  start();
}
