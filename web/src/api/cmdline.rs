//! A command line typed by a person, split into words as a POSIX shell
//! splits a simple command: blanks separate words; `'…'` keeps everything
//! literally; `"…"` keeps everything but lets a backslash escape `"`, `\`,
//! `$` and `` ` ``; a backslash outside quotes escapes any character.
//! Nothing is expanded. Pipes, redirections, `;` and `&` are refused rather
//! than handed to netstat or ss as words.

/// Splits `line` into words, or says why it cannot.
pub fn split(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' | '\r' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err("unterminated single quote".to_string()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => word.push(c),
                            Some('\n') => {}
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err("unterminated double quote".to_string()),
                        },
                        Some(c) => word.push(c),
                        None => return Err("unterminated double quote".to_string()),
                    }
                }
            }
            '\\' => match chars.next() {
                Some('\n') => {}
                Some(c) => {
                    in_word = true;
                    word.push(c);
                }
                None => {
                    in_word = true;
                    word.push('\\');
                }
            },
            '|' | '>' | '<' | ';' | '&' => {
                return Err(format!(
                    "`{c}' is not supported: pipes, redirections and command lists need a shell"
                ));
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

/// The tools a command line may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    /// net-tools `netstat` 2.10.
    Netstat,
    /// iproute2 `ss` 6.1.
    Ss,
}

/// What to try instead of another command.
const TRY: &str = "try netstat or ss (for example `netstat -tanp' or `ss -tanp')";

/// The tool a command line starts with (`netstat` or `ss`) and the words
/// after it.
pub fn command(line: &str) -> Result<(Tool, Vec<String>), String> {
    let mut words = split(line)?;
    let tool = match words.first().map(String::as_str) {
        Some("netstat") => Tool::Netstat,
        Some("ss") => Tool::Ss,
        Some(other) => return Err(format!("unsupported command: {other}; {TRY}")),
        None => {
            return Err(format!(
                "unsupported command: the command line is empty; {TRY}"
            ));
        }
    };
    words.remove(0);
    Ok((tool, words))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        split(s).unwrap_or_else(|e| vec![format!("ERR {e}")])
    }

    #[test]
    fn splits_like_a_shell() {
        assert_eq!(words("  netstat   -tan "), ["netstat", "-tan"]);
        assert_eq!(
            words("netstat -A 'inet, unix'"),
            ["netstat", "-A", "inet, unix"]
        );
        assert_eq!(words(r#"a "b \"c\" \d" e"#), ["a", r#"b "c" \d"#, "e"]);
        assert_eq!(words(r"a\ b 'c\d'"), ["a b", r"c\d"]);
        assert_eq!(words(r#"x''y "" ''"#), ["xy", "", ""]);
        assert_eq!(words(""), Vec::<String>::new());
        assert_eq!(words("a\\"), ["a\\"]);
        assert!(split("netstat 'oops").is_err());
        assert!(split("netstat \"oops").is_err());
        assert!(split("netstat -tan | grep 22").is_err());
        assert_eq!(words("netstat '|'"), ["netstat", "|"]);
    }

    #[test]
    fn netstat_and_ss_only() {
        assert_eq!(
            command("netstat -tanp"),
            Ok((Tool::Netstat, vec!["-tanp".to_string()]))
        );
        assert_eq!(command("netstat"), Ok((Tool::Netstat, vec![])));
        assert_eq!(
            command("ss -tan state 'time-wait'"),
            Ok((
                Tool::Ss,
                vec!["-tan", "state", "time-wait"]
                    .into_iter()
                    .map(String::from)
                    .collect()
            ))
        );
        assert_eq!(command("  ss"), Ok((Tool::Ss, vec![])));
        let e = command("ip -s link").unwrap_err();
        assert!(
            e.starts_with("unsupported command: ip; try netstat or ss"),
            "{e}"
        );
        assert!(command("sss -tan").is_err());
        assert!(
            command("   ")
                .unwrap_err()
                .starts_with("unsupported command")
        );
    }
}
