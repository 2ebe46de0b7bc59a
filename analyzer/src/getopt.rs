//! glibc 2.36 `getopt_long` in its default (permuting) mode, shared by the
//! netstat and ss command lines: non-option arguments are skipped (and kept,
//! in order, for [`Getopt::rest`]), `--` ends the options, short options
//! cluster, an option's argument is attached or the next element, long
//! options may be abbreviated to any unambiguous prefix (entries identical
//! to the first match do not make a prefix ambiguous), and every error
//! message is glibc's with the tool's program name.

/// What a tool hands to `getopt_long`.
pub(crate) struct Spec {
    /// The program name glibc puts in front of its messages.
    pub(crate) program: &'static [u8],
    /// The short option string.
    pub(crate) short: &'static [u8],
    /// The long option table, in table order (the order decides which entry
    /// an abbreviation picks and the ambiguity message).
    pub(crate) long: &'static [LongOption],
}

/// One entry of a long option table.
pub(crate) struct LongOption {
    /// The name after `--`.
    pub(crate) name: &'static [u8],
    /// Whether the option requires an argument.
    pub(crate) takes_arg: bool,
    /// What getopt returns for it.
    pub(crate) val: u8,
}

/// Shorthand for building a long option table.
pub(crate) const fn long(name: &'static [u8], takes_arg: bool, val: u8) -> LongOption {
    LongOption {
        name,
        takes_arg,
        val,
    }
}

/// What one call of getopt produced.
pub(crate) struct Got<'a> {
    /// The returned option character (`b'?'` for errors, [`AF_OPTION`] for
    /// the address-family long options).
    pub(crate) code: u8,
    /// `optarg`, for `-A` / `--protocol`.
    pub(crate) optarg: &'a [u8],
    /// `longind`, when a long option matched.
    pub(crate) long_index: Option<usize>,
}

impl Got<'_> {
    /// A result without argument or long option index.
    fn plain(code: u8) -> Self {
        Got {
            code,
            optarg: &[],
            long_index: None,
        }
    }
}

/// glibc's `getopt_long` state for one scan (default ordering: permute).
///
/// Permuting never changes which element follows an option that takes the
/// next element as its argument (only already-scanned elements are moved),
/// so the scan can simply skip non-options in place.
pub(crate) struct Getopt<'a> {
    /// Program name, short option string and long option table.
    spec: &'static Spec,
    /// Indices of the non-option elements met, in order.
    skipped: Vec<usize>,
    /// The arguments after `argv[0]`, each cut at its first NUL byte.
    args: Vec<&'a [u8]>,
    /// Index of the element being scanned.
    optind: usize,
    /// Position of the next character inside a short option cluster.
    next_char: Option<usize>,
}

impl<'a> Getopt<'a> {
    /// Starts a scan over `args`.
    pub(crate) fn new(spec: &'static Spec, args: Vec<&'a [u8]>) -> Self {
        Getopt {
            spec,
            skipped: Vec::new(),
            args,
            optind: 0,
            next_char: None,
        }
    }

    /// Returns the next option, writing glibc's messages to `stderr`, or
    /// `None` when the options are exhausted.
    pub(crate) fn next(&mut self, stderr: &mut Vec<u8>) -> Option<Got<'a>> {
        let pos = match self.next_char {
            Some(pos) => pos,
            None => {
                while self.args.get(self.optind).is_some_and(|a| is_non_option(a)) {
                    self.skipped.push(self.optind);
                    self.optind += 1;
                }
                let arg = *self.args.get(self.optind)?;
                if arg == b"--" {
                    self.skipped.extend(self.optind + 1..self.args.len());
                    self.optind = self.args.len();
                    return None;
                }
                if arg.get(1) == Some(&b'-') {
                    return Some(self.long_option(arg.get(2..).unwrap_or_default(), stderr));
                }
                1
            }
        };
        let arg = *self.args.get(self.optind)?;
        let c = *arg.get(pos)?;
        let rest = arg.get(pos + 1..).unwrap_or_default();
        if rest.is_empty() {
            self.optind += 1;
            self.next_char = None;
        } else {
            self.next_char = Some(pos + 1);
        }

        let spec = self.spec.short.iter().position(|&b| b == c);
        let Some(spec) = spec.filter(|_| c != b':' && c != b';') else {
            push_all(
                stderr,
                &[self.spec.program, b": invalid option -- '", &[c], b"'\n"],
            );
            return Some(Got::plain(b'?'));
        };
        if self.spec.short.get(spec + 1) != Some(&b':') {
            return Some(Got::plain(c));
        }

        // An option that requires an argument.
        self.next_char = None;
        let optarg = if !rest.is_empty() {
            self.optind += 1;
            rest
        } else if let Some(next) = self.args.get(self.optind) {
            self.optind += 1;
            next
        } else {
            push_all(
                stderr,
                &[
                    self.spec.program,
                    b": option requires an argument -- '",
                    &[c],
                    b"'\n",
                ],
            );
            return Some(Got::plain(b'?'));
        };
        Some(Got {
            code: c,
            optarg,
            long_index: None,
        })
    }

    /// The non-option elements, in their order (what follows the options
    /// in the permuted argv once the scan has ended).
    pub(crate) fn rest(&self) -> Vec<&'a [u8]> {
        let unscanned = self.optind.max(self.skipped.last().map_or(0, |&i| i + 1));
        self.skipped
            .iter()
            .copied()
            .chain(unscanned..self.args.len())
            .filter_map(|i| self.args.get(i).copied())
            .collect()
    }

    /// Handles `--<text>` at `optind`, `text` being what follows the dashes.
    fn long_option(&mut self, text: &'a [u8], stderr: &mut Vec<u8>) -> Got<'a> {
        let name_end = text.iter().position(|&b| b == b'=').unwrap_or(text.len());
        let name = text.get(..name_end).unwrap_or_default();
        let value = text.get(name_end + 1..);
        self.optind += 1;

        let exact = self.spec.long.iter().position(|o| o.name == name);
        let found = match exact {
            Some(index) => index,
            None => {
                let mut matches = self
                    .spec
                    .long
                    .iter()
                    .enumerate()
                    .filter(|(_, o)| o.name.starts_with(name));
                let Some((first, first_opt)) = matches.next() else {
                    push_all(
                        stderr,
                        &[
                            self.spec.program,
                            b": unrecognized option '--",
                            text,
                            b"'\n",
                        ],
                    );
                    return Got::plain(b'?');
                };
                // Entries identical to the first match do not count.
                let others: Vec<&LongOption> = matches
                    .map(|(_, o)| o)
                    .filter(|o| o.takes_arg != first_opt.takes_arg || o.val != first_opt.val)
                    .collect();
                if !others.is_empty() {
                    push_all(
                        stderr,
                        &[
                            self.spec.program,
                            b": option '--",
                            text,
                            b"' is ambiguous; possibilities:",
                        ],
                    );
                    for o in std::iter::once(first_opt).chain(others) {
                        push_all(stderr, &[b" '--", o.name, b"'"]);
                    }
                    stderr.push(b'\n');
                    return Got::plain(b'?');
                }
                first
            }
        };
        let Some(option) = self.spec.long.get(found) else {
            return Got::plain(b'?');
        };

        let optarg = match (value, option.takes_arg) {
            (Some(value), true) => value,
            (Some(_), false) => {
                push_all(
                    stderr,
                    &[
                        self.spec.program,
                        b": option '--",
                        option.name,
                        b"' doesn't allow an argument\n",
                    ],
                );
                return Got::plain(b'?');
            }
            (None, false) => &[],
            (None, true) => match self.args.get(self.optind) {
                Some(next) => {
                    self.optind += 1;
                    next
                }
                None => {
                    push_all(
                        stderr,
                        &[
                            self.spec.program,
                            b": option '--",
                            option.name,
                            b"' requires an argument\n",
                        ],
                    );
                    return Got::plain(b'?');
                }
            },
        };
        Got {
            code: option.val,
            optarg,
            long_index: Some(found),
        }
    }
}

/// glibc's test for an element that is not an option: not starting with
/// `-`, or exactly `-`.
pub(crate) fn is_non_option(arg: &[u8]) -> bool {
    arg.first() != Some(&b'-') || arg.len() == 1
}

/// Appends every piece to `out`.
pub(crate) fn push_all(out: &mut Vec<u8>, pieces: &[&[u8]]) {
    for piece in pieces {
        out.extend_from_slice(piece);
    }
}

/// A C string view of an argument: everything before its first NUL byte.
pub(crate) fn c_str(arg: &[u8]) -> &[u8] {
    let end = arg.iter().position(|&b| b == 0).unwrap_or(arg.len());
    arg.get(..end).unwrap_or_default()
}
