//! The UI's side of the analysis worker.
//!
//! The page hands [`mount_app`](super::mount_app) a function that starts a
//! worker (from a `blob:` URL, with the wasm module already posted to it:
//! see `web/www/worker.js`). Requests are plain objects
//! `{id, op, ...fields}`; the worker answers `{id, op: "progress", read,
//! total}` while opening, then `{id, ok, result | error, lost}`. `lost`
//! means the analyzer trapped and its state cannot be trusted: the worker
//! is ended and the next request starts a fresh one. A worker that fails
//! to start (`{op: "fatal"}`) or dies (`error` event) is handled alike.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::{Rc, Weak};

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, Worker};

/// Called with `(bytes read, total bytes)` while a snapshot is parsed.
pub type Progress = Rc<dyn Fn(f64, f64)>;
/// Called when the worker is lost, with the reason.
type LostHandler = Rc<dyn Fn(String)>;
/// Called once with the worker's result or an error message.
pub type Done = Box<dyn FnOnce(Result<JsValue, String>)>;

struct Pending {
    progress: Option<Progress>,
    done: Done,
}

struct Live {
    worker: Worker,
    _onmessage: Closure<dyn FnMut(MessageEvent)>,
    _onerror: Closure<dyn FnMut(web_sys::Event)>,
}

/// The worker connection: starts the worker when first needed, matches
/// answers to requests, and reports a lost worker.
pub struct Bridge {
    make_worker: Function,
    this: Weak<Bridge>,
    live: RefCell<Option<Live>>,
    next_id: Cell<u32>,
    pending: RefCell<HashMap<u32, Pending>>,
    on_lost: RefCell<Option<LostHandler>>,
}

/// A shared handle to the [`Bridge`], compared by identity (for props).
#[derive(Clone)]
pub struct BridgeHandle(pub Rc<Bridge>);

impl PartialEq for BridgeHandle {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl std::ops::Deref for BridgeHandle {
    type Target = Bridge;
    fn deref(&self) -> &Bridge {
        &self.0
    }
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// The message of a thrown JavaScript value.
pub fn js_message(err: &JsValue) -> String {
    if let Some(s) = err.as_string() {
        return s;
    }
    let msg = get(err, "message");
    match msg.as_string() {
        Some(s) if !s.is_empty() => s,
        _ => js_sys::JSON::stringify(err)
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_else(|| "unknown error".to_string()),
    }
}

impl BridgeHandle {
    /// A bridge over workers made by `make_worker` (a JS function returning a `Worker`).
    pub fn new(make_worker: Function) -> BridgeHandle {
        BridgeHandle(Rc::new_cyclic(|this| Bridge {
            make_worker,
            this: this.clone(),
            live: RefCell::new(None),
            next_id: Cell::new(1),
            pending: RefCell::new(HashMap::new()),
            on_lost: RefCell::new(None),
        }))
    }
}

impl Bridge {
    /// Sets what to call when the worker is lost (its snapshot is gone).
    pub fn set_on_lost(&self, f: impl Fn(String) + 'static) {
        *self.on_lost.borrow_mut() = Some(Rc::new(f));
    }

    /// Starts the worker now, so that compiling and instantiating overlap
    /// with the user picking a file.
    pub fn warm_up(&self) {
        let _ = self.worker();
    }

    fn worker(&self) -> Result<Worker, String> {
        if let Some(live) = self.live.borrow().as_ref() {
            return Ok(live.worker.clone());
        }
        let worker: Worker = self
            .make_worker
            .call0(&JsValue::NULL)
            .map_err(|e| format!("cannot start the analysis worker: {}", js_message(&e)))?
            .unchecked_into();
        let this = self.this.clone();
        let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            if let Some(b) = this.upgrade() {
                b.on_message(ev.data());
            }
        });
        let this = self.this.clone();
        let onerror = Closure::<dyn FnMut(web_sys::Event)>::new(move |ev: web_sys::Event| {
            ev.prevent_default();
            let msg = get(&ev, "message").as_string().unwrap_or_default();
            if let Some(b) = this.upgrade() {
                b.lose(if msg.is_empty() {
                    "the analysis worker stopped".to_string()
                } else {
                    format!("the analysis worker stopped: {msg}")
                });
            }
        });
        worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
        worker.set_onerror(Some(onerror.as_ref().unchecked_ref()));
        *self.live.borrow_mut() = Some(Live {
            worker: worker.clone(),
            _onmessage: onmessage,
            _onerror: onerror,
        });
        Ok(worker)
    }

    /// Sends `{id, op, ...fields}`, transferring `transfer` (an
    /// `ArrayBuffer`) if given; `done` gets the answer.
    pub fn request(
        &self,
        op: &str,
        fields: &[(&str, JsValue)],
        transfer: Option<&JsValue>,
        progress: Option<Progress>,
        done: Done,
    ) {
        let worker = match self.worker() {
            Ok(w) => w,
            Err(e) => return done(Err(e)),
        };
        let id = self.next_id.get();
        self.next_id.set(id.wrapping_add(1));
        let msg = Object::new();
        let _ = Reflect::set(&msg, &"id".into(), &JsValue::from(id));
        let _ = Reflect::set(&msg, &"op".into(), &JsValue::from_str(op));
        for (k, v) in fields {
            let _ = Reflect::set(&msg, &JsValue::from_str(k), v);
        }
        self.pending
            .borrow_mut()
            .insert(id, Pending { progress, done });
        let sent = match transfer {
            Some(t) => worker.post_message_with_transfer(&msg, &Array::of1(t)),
            None => worker.post_message(&msg),
        };
        if let Err(e) = sent {
            let p = self.pending.borrow_mut().remove(&id);
            if let Some(p) = p {
                (p.done)(Err(format!(
                    "cannot reach the analysis worker: {}",
                    js_message(&e)
                )));
            }
        }
    }

    fn on_message(&self, data: JsValue) {
        let op = get(&data, "op").as_string().unwrap_or_default();
        if op == "fatal" {
            let msg = get(&data, "error").as_string().unwrap_or_default();
            return self.lose(format!("the analyzer could not start: {msg}"));
        }
        let Some(id) = get(&data, "id").as_f64().map(|f| f as u32) else {
            return;
        };
        if op == "progress" {
            let progress = self
                .pending
                .borrow()
                .get(&id)
                .and_then(|p| p.progress.clone());
            if let Some(p) = progress {
                let read = get(&data, "read").as_f64().unwrap_or(0.0);
                let total = get(&data, "total").as_f64().unwrap_or(0.0);
                p(read, total);
            }
            return;
        }
        let error = get(&data, "error")
            .as_string()
            .unwrap_or_else(|| "unknown error".to_string());
        if get(&data, "lost").is_truthy() {
            // The analyzer trapped: every request, this one included, fails
            // with the same message, and the snapshot is gone.
            return self.lose(format!(
                "the analyzer stopped ({error}); open the snapshot again"
            ));
        }
        let pending = self.pending.borrow_mut().remove(&id);
        if let Some(p) = pending {
            if get(&data, "ok").is_truthy() {
                (p.done)(Ok(get(&data, "result")));
            } else {
                (p.done)(Err(error));
            }
        }
    }

    /// Ends the worker, fails every pending request, and tells the UI.
    fn lose(&self, msg: String) {
        if let Some(live) = self.live.borrow_mut().take() {
            live.worker.terminate();
        }
        let pending: Vec<Pending> = self.pending.borrow_mut().drain().map(|(_, p)| p).collect();
        for p in pending {
            (p.done)(Err(msg.clone()));
        }
        let on_lost = self.on_lost.borrow().clone();
        if let Some(f) = on_lost {
            f(msg);
        }
    }
}

/// A field of a JS object.
pub fn field(obj: &JsValue, key: &str) -> JsValue {
    get(obj, key)
}
