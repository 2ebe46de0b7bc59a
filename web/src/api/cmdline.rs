//! A command line typed by a person, split into words as a POSIX shell
//! splits a simple command: blanks separate words; `'…'` keeps everything
//! literally; `"…"` keeps everything but lets a backslash escape `"`, `\`,
//! `$` and `` ` ``; a backslash outside quotes escapes any character.
//! Nothing is expanded. Pipes, redirections, `;` and `&` are refused rather
//! than handed to netstat as words.

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

/// The netstat arguments of a command line that starts with `netstat`.
pub fn netstat_args(line: &str) -> Result<Vec<String>, String> {
    let mut words = split(line)?;
    match words.first().map(String::as_str) {
        Some("netstat") => {
            words.remove(0);
            Ok(words)
        }
        Some(other) => Err(format!(
            "unsupported command: {other}; try netstat (for example `netstat -tanp')"
        )),
        None => Err(
            "unsupported command: the command line is empty; try netstat (for example `netstat -tanp')"
                .to_string(),
        ),
    }
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
    fn only_netstat() {
        assert_eq!(netstat_args("netstat -tanp"), Ok(vec!["-tanp".to_string()]));
        assert_eq!(netstat_args("netstat"), Ok(vec![]));
        let e = netstat_args("ss -tan").unwrap_err();
        assert!(e.starts_with("unsupported command: ss; try netstat"), "{e}");
        assert!(
            netstat_args("   ")
                .unwrap_err()
                .starts_with("unsupported command")
        );
    }
}
