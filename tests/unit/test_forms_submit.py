"""web/js/forms.js's handleSubmit, the submit preamble every form uses, run under node with a
stand-in form and button: the order of its steps, the busy button, and what stops a request."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

FORMS = Path(__file__).resolve().parents[2] / "web" / "js" / "forms.js"

# forms.js is an ES module with no imports: loaded from a data: URL, as a module, unchanged.
# Each scenario submits a stand-in form and records what happened, in order.
HARNESS = r"""
const source = require('fs').readFileSync(process.argv[1], 'utf8');
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

function stand_ins() {
  const trace = [];
  const button = {
    disabled: false,
    classList: { toggle() {} },
    setAttribute() {},
    removeAttribute() {},
  };
  const form = {
    listener: null,
    addEventListener(type, listener) { if (type === 'submit') this.listener = listener; },
    querySelectorAll() { return []; },
  };
  const submit = () => form.listener({ preventDefault: () => trace.push('preventDefault') });
  return { trace, button, form, submit };
}

async function run(handleSubmit) {
  const results = {};

  { // the usual path: every step in order, busy only while the request is in flight
    const { trace, button, form, submit } = stand_ins();
    handleSubmit(form, {
      button,
      reset: () => trace.push('reset'),
      check: () => { trace.push('check'); return true; },
      send: async () => { trace.push(`send busy=${button.disabled}`); return { status: 200, body: { ok: 1 } }; },
      answered: (answer) => trace.push(`answered ${answer.status} busy=${button.disabled}`),
    });
    await submit();
    results.usual = { trace, busyAfter: button.disabled };
  }

  { // a second submit while the first request is in flight sends nothing
    const { trace, button, form, submit } = stand_ins();
    let release;
    handleSubmit(form, {
      button,
      send: () => { trace.push('send'); return new Promise((resolve) => { release = resolve; }); },
      answered: () => trace.push('answered'),
    });
    const first = submit();
    await flush();
    await submit();
    release({ status: 201, body: {} });
    await first;
    results.double = { trace, busyAfter: button.disabled };
  }

  { // a failed client check: no request, the button never busy
    const { trace, button, form, submit } = stand_ins();
    handleSubmit(form, {
      button,
      check: () => { trace.push(`check busy=${button.disabled}`); return false; },
      send: async () => { trace.push('send'); return { status: 200, body: {} }; },
      answered: () => trace.push('answered'),
    });
    await submit();
    results.checked = { trace, busyAfter: button.disabled };
  }

  { // an answer that leaves the page keeps the button busy; another answer does not
    for (const status of [200, 422]) {
      const { trace, button, form, submit } = stand_ins();
      handleSubmit(form, {
        button,
        send: async () => ({ status, body: {} }),
        leaving: (answer) => answer.status === 200,
        answered: () => trace.push(`answered busy=${button.disabled}`),
      });
      await submit();
      results[`leaving${status}`] = { trace, busyAfter: button.disabled };
    }
  }

  { // busyWhileAnswering: busy until the answer's own work is done; the other buttons with it
    const { trace, button, form, submit } = stand_ins();
    const cancel = { disabled: false };
    handleSubmit(form, {
      button,
      alsoDisabled: [cancel],
      busyWhileAnswering: true,
      send: async () => { trace.push(`send cancel=${cancel.disabled}`); return { status: 200, body: {} }; },
      answered: async () => {
        await flush();
        trace.push(`answered busy=${button.disabled} cancel=${cancel.disabled}`);
      },
    });
    await submit();
    results.answering = { trace, busyAfter: button.disabled, cancelAfter: cancel.disabled };
  }

  { // send made no request (null): no answer, the button free again
    const { trace, button, form, submit } = stand_ins();
    handleSubmit(form, {
      button,
      send: async () => { trace.push('send'); return null; },
      answered: () => trace.push('answered'),
    });
    await submit();
    results.none = { trace, busyAfter: button.disabled };
  }
  return results;
}

import('data:text/javascript,' + encodeURIComponent(source))
  .then((forms) => run(forms.handleSubmit))
  .then((results) => process.stdout.write(JSON.stringify(results)));
"""


@pytest.fixture(scope="module")
def results() -> dict[str, Any]:
    node = shutil.which("node")
    assert node, "node is needed to run the site's form helper (apt-get install nodejs; make test installs it)"
    done = subprocess.run([node, "-e", HARNESS, str(FORMS)], capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_steps_run_in_order_and_the_button_is_busy_only_while_the_request_is_in_flight(
    results: dict[str, Any],
) -> None:
    assert results["usual"] == {
        "trace": ["preventDefault", "reset", "check", "send busy=true", "answered 200 busy=false"],
        "busyAfter": False,
    }


def test_a_second_submit_while_the_request_is_in_flight_sends_nothing(results: dict[str, Any]) -> None:
    assert results["double"] == {"trace": ["preventDefault", "send", "preventDefault", "answered"], "busyAfter": False}


def test_a_failed_check_sends_nothing(results: dict[str, Any]) -> None:
    assert results["checked"] == {"trace": ["preventDefault", "check busy=false"], "busyAfter": False}


def test_an_answer_that_leaves_the_page_keeps_the_button_busy(results: dict[str, Any]) -> None:
    assert results["leaving200"] == {"trace": ["preventDefault", "answered busy=true"], "busyAfter": True}
    assert results["leaving422"] == {"trace": ["preventDefault", "answered busy=false"], "busyAfter": False}


def test_busy_while_answering_holds_the_button_and_the_others_until_the_answer_is_shown(
    results: dict[str, Any],
) -> None:
    assert results["answering"] == {
        "trace": ["preventDefault", "send cancel=true", "answered busy=true cancel=true"],
        "busyAfter": False,
        "cancelAfter": False,
    }


def test_no_request_made_means_no_answer_and_a_free_button(results: dict[str, Any]) -> None:
    assert results["none"] == {"trace": ["preventDefault", "send"], "busyAfter": False}
