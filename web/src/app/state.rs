//! The app's state and the actions that change it (yew `use_reducer`).

use std::rc::Rc;

use serde_json::Value;
use yew::{AttrValue, Reducible};

/// The command run when a snapshot has been opened.
pub const DEFAULT_COMMAND: &str = "netstat -tan";

/// Largest stdout shown in the page; the download and Copy have it all.
pub const SHOW_BYTES: usize = 8 << 20;

/// Lines per chunk of the shown output (see [`chunk_lines`]).
pub const CHUNK_LINES: usize = 400;

/// Splits text into chunks of at most `lines` lines, each ending with its
/// newline (the last may lack one); joined, they are the text again. The
/// page renders each chunk as its own block with `content-visibility:
/// auto`, so a long output is laid out only where it is scrolled to.
pub fn chunk_lines(text: &str, lines: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut count = 0;
    for (i, b) in text.bytes().enumerate() {
        if b == b'\n' {
            count += 1;
            if count == lines {
                out.push(&text[start..=i]);
                start = i + 1;
                count = 0;
            }
        }
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// What loading a snapshot is doing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Stage {
    /// The browser reads the file.
    Reading,
    /// The worker parses the archive.
    Parsing,
}

/// Where the app is with its snapshot.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    /// No snapshot yet.
    Empty,
    /// A snapshot is being read and parsed.
    Loading {
        /// File name.
        name: String,
        /// Reading or parsing.
        stage: Stage,
        /// Bytes done.
        done: f64,
        /// Bytes in all.
        total: f64,
    },
    /// A snapshot is open in the worker.
    Ready,
}

/// The result of one command.
#[derive(Debug)]
pub struct RunOutput {
    /// Run number (identity for props).
    pub seq: u32,
    /// The command line as run.
    pub cmdline: String,
    /// The exact stdout bytes.
    pub stdout: js_sys::Uint8Array,
    /// stdout decoded lossily, cut at a line end after [`SHOW_BYTES`],
    /// in chunks of whole lines ([`chunk_lines`]).
    pub shown: Rc<[AttrValue]>,
    /// Bytes of stdout shown.
    pub shown_bytes: usize,
    /// Whether `shown` is cut.
    pub cut: bool,
    /// stderr decoded lossily.
    pub stderr: String,
    /// Exit status.
    pub status: i32,
    /// Milliseconds from request to answer.
    pub ms: f64,
}

impl PartialEq for RunOutput {
    fn eq(&self, other: &Self) -> bool {
        self.seq == other.seq
    }
}

/// The whole UI state.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    /// Empty, loading or ready.
    pub phase: Phase,
    /// The error panel's message.
    pub error: Option<String>,
    /// Name of the open (or opening) file.
    pub file_name: Option<String>,
    /// Counts opens; answers for an older open are ignored.
    pub load_seq: u32,
    /// Counts successful opens; the table restarts on a new one.
    pub generation: u32,
    /// The worker's overview of the open snapshot.
    pub overview: Option<Rc<Value>>,
    /// The command box.
    pub command: String,
    /// Commands run, oldest first, without repeats in a row.
    pub history: Rc<Vec<String>>,
    /// Position while walking the history with the arrow keys.
    pub history_pos: Option<usize>,
    /// What the command box held before walking the history.
    pub draft: String,
    /// Counts runs; answers for an older run are ignored.
    pub run_seq: u32,
    /// A command is running.
    pub running: bool,
    /// The last command's output.
    pub output: Option<Rc<RunOutput>>,
}

impl Default for State {
    fn default() -> Self {
        State {
            phase: Phase::Empty,
            error: None,
            file_name: None,
            load_seq: 0,
            generation: 0,
            overview: None,
            command: DEFAULT_COMMAND.to_string(),
            history: Rc::new(Vec::new()),
            history_pos: None,
            draft: String::new(),
            run_seq: 0,
            running: false,
            output: None,
        }
    }
}

/// Commands kept in the history.
const HISTORY_MAX: usize = 200;

impl State {
    /// Adds a command to the history (not twice in a row).
    fn remember(&mut self, cmd: &str) {
        if self.history.last().map(String::as_str) == Some(cmd) {
            return;
        }
        let h = Rc::make_mut(&mut self.history);
        h.push(cmd.to_string());
        if h.len() > HISTORY_MAX {
            h.remove(0);
        }
    }

    /// The value of `document.body.dataset.state`.
    pub fn body_state(&self) -> &'static str {
        match (&self.error, &self.phase) {
            (Some(_), _) => "error",
            (None, Phase::Loading { .. }) => "loading",
            (None, Phase::Ready) => "ready",
            (None, Phase::Empty) => "empty",
        }
    }
}

/// Everything that changes the state.
pub enum Action {
    /// A file was chosen (its name and size).
    StartLoad {
        /// Which open.
        seq: u32,
        /// File name.
        name: String,
        /// Size in bytes.
        size: f64,
    },
    /// Reading or parsing progressed.
    Progress {
        /// Which open.
        seq: u32,
        /// Reading or parsing.
        stage: Stage,
        /// Bytes done.
        done: f64,
        /// Bytes in all.
        total: f64,
    },
    /// The worker opened the snapshot and ran the first command.
    Loaded {
        /// Which open.
        seq: u32,
        /// The overview JSON.
        overview: Option<Value>,
        /// The first command's output, or why it failed.
        output: Result<RunOutput, String>,
    },
    /// Reading or opening failed.
    LoadFailed {
        /// Which open.
        seq: u32,
        /// Message for the error panel.
        message: String,
    },
    /// The command box was edited.
    SetCommand(String),
    /// Arrow up in the command box, with what the box holds now.
    HistoryBack {
        /// The box's text (kept as the draft when the walk starts).
        now: String,
    },
    /// Arrow down in the command box.
    HistoryForward,
    /// A command was sent to the worker.
    RunStarted {
        /// Which run.
        seq: u32,
        /// The command line.
        cmdline: String,
    },
    /// A command answered.
    RunDone {
        /// Which run.
        seq: u32,
        /// Its output, or why it failed.
        result: Result<RunOutput, String>,
    },
    /// The worker was lost with its snapshot.
    WorkerLost(String),
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::StartLoad { seq, name, size } => {
                s.load_seq = seq;
                s.phase = Phase::Loading {
                    name: name.clone(),
                    stage: Stage::Reading,
                    done: 0.0,
                    total: size,
                };
                s.file_name = Some(name);
                s.error = None;
                s.overview = None;
                s.output = None;
                s.running = false;
            }
            Action::Progress {
                seq,
                stage,
                done,
                total,
            } => {
                if seq != s.load_seq {
                    return self;
                }
                let Phase::Loading { name, .. } = &s.phase else {
                    return self;
                };
                s.phase = Phase::Loading {
                    name: name.clone(),
                    stage,
                    done,
                    total,
                };
            }
            Action::Loaded {
                seq,
                overview,
                output,
            } => {
                if seq != s.load_seq {
                    return self;
                }
                s.phase = Phase::Ready;
                s.generation += 1;
                s.running = false;
                if let Ok(out) = &output {
                    s.run_seq = out.seq;
                    s.remember(&out.cmdline);
                }
                s.overview = overview.map(Rc::new);
                match output {
                    Ok(out) => s.output = Some(Rc::new(out)),
                    Err(e) => s.error = Some(e),
                }
            }
            Action::LoadFailed { seq, message } => {
                if seq != s.load_seq {
                    return self;
                }
                s.phase = Phase::Empty;
                s.error = Some(message);
            }
            Action::SetCommand(c) => {
                s.command = c;
                s.history_pos = None;
            }
            Action::HistoryBack { now } => {
                let len = s.history.len();
                if len == 0 {
                    return self;
                }
                let pos = match s.history_pos {
                    None => {
                        s.draft = now;
                        len - 1
                    }
                    Some(p) => p.saturating_sub(1),
                };
                s.history_pos = Some(pos);
                s.command = s.history[pos].clone();
            }
            Action::HistoryForward => {
                let Some(p) = s.history_pos else {
                    return self;
                };
                if p + 1 < s.history.len() {
                    s.history_pos = Some(p + 1);
                    s.command = s.history[p + 1].clone();
                } else {
                    s.history_pos = None;
                    s.command = std::mem::take(&mut s.draft);
                }
            }
            Action::RunStarted { seq, cmdline: cmd } => {
                s.run_seq = seq;
                s.running = true;
                s.history_pos = None;
                s.remember(&cmd);
                s.command = cmd;
            }
            Action::RunDone { seq, result } => {
                if seq != s.run_seq {
                    return self;
                }
                match result {
                    Ok(out) => {
                        s.output = Some(Rc::new(out));
                        s.error = None;
                    }
                    Err(e) => s.error = Some(e),
                }
                s.running = false;
            }
            Action::WorkerLost(message) => {
                s.phase = Phase::Empty;
                s.overview = None;
                s.output = None;
                s.running = false;
                s.error = Some(message);
            }
        }
        Rc::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(s: Rc<State>, actions: Vec<Action>) -> Rc<State> {
        actions.into_iter().fold(s, |s, a| s.reduce(a))
    }

    fn run(seq: u32, cmd: &str) -> Action {
        Action::RunStarted {
            seq,
            cmdline: cmd.to_string(),
        }
    }

    #[test]
    fn chunks_keep_the_text() {
        assert_eq!(chunk_lines("", 2), Vec::<&str>::new());
        assert_eq!(chunk_lines("a\nb\nc\n", 2), vec!["a\nb\n", "c\n"]);
        assert_eq!(chunk_lines("a\nb\nc", 2), vec!["a\nb\n", "c"]);
        assert_eq!(chunk_lines("a\nb\n", 2), vec!["a\nb\n"]);
        let text = "é\n".repeat(1001) + "tail";
        assert_eq!(chunk_lines(&text, 400).concat(), text);
        assert_eq!(chunk_lines(&text, 400).len(), 3);
    }

    #[test]
    fn history_walks_back_and_forward() {
        let s = apply(
            Rc::new(State::default()),
            vec![
                run(1, "netstat -tan"),
                run(2, "netstat -r"),
                run(3, "netstat -r"),
            ],
        );
        assert_eq!(*s.history, vec!["netstat -tan", "netstat -r"]);
        let back = || Action::HistoryBack {
            now: "netstat -x".into(),
        };
        let s = s.reduce(back());
        assert_eq!(s.command, "netstat -r");
        let s = s.reduce(back()).reduce(back());
        assert_eq!(s.command, "netstat -tan");
        let s = s.reduce(Action::HistoryForward);
        assert_eq!(s.command, "netstat -r");
        // Past the newest entry: back to what was being typed.
        let s = s.reduce(Action::HistoryForward);
        assert_eq!(s.command, "netstat -x");
        assert_eq!(s.history_pos, None);
    }

    #[test]
    fn stale_answers_are_ignored() {
        let s = apply(
            Rc::new(State::default()),
            vec![
                Action::StartLoad {
                    seq: 1,
                    name: "a".into(),
                    size: 10.0,
                },
                Action::StartLoad {
                    seq: 2,
                    name: "b".into(),
                    size: 20.0,
                },
                Action::LoadFailed {
                    seq: 1,
                    message: "old".into(),
                },
            ],
        );
        assert_eq!(s.error, None);
        assert_eq!(s.body_state(), "loading");
        let s = s.reduce(Action::LoadFailed {
            seq: 2,
            message: "not a snapshot".into(),
        });
        assert_eq!(s.error.as_deref(), Some("not a snapshot"));
        assert_eq!(s.body_state(), "error");
        // A new file clears the error.
        let s = s.reduce(Action::StartLoad {
            seq: 3,
            name: "c".into(),
            size: 1.0,
        });
        assert_eq!(s.body_state(), "loading");
        let s = s.reduce(Action::RunDone {
            seq: 7,
            result: Err("late".into()),
        });
        assert_eq!(s.error, None);
    }
}
