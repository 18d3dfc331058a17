//! `hermes completion` — shell completion scripts. The scripts are generated from the command
//! tree, with profile names completed after `-p/--profile`; copies live in `completions/`.

use clap::CommandFactory;
use clap_complete::Shell;

use super::{Cli, Context};

/// Print a shell completion script (e.g. `eval "$(hermes completion bash)"`).
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The shell.
    #[arg(value_enum, default_value_t = Shell::Bash)]
    shell: Shell,
}

pub(crate) fn run(cx: &Context, args: Args) -> anyhow::Result<()> {
    cx.out.raw(&script(args.shell));
    Ok(())
}

/// The completion script for `shell`.
pub(crate) fn script(shell: Shell) -> String {
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "hermes", &mut buf);
    let generated = String::from_utf8_lossy(&buf).into_owned();
    with_profile_names(shell, &generated)
}

/// Lists profile names the way hermes resolves the root (`HERMES_HOME` or ~/.hermes).
const PROFILES_SH: &str = r#"_hermes_profile_names() {
    local root="${HERMES_HOME:-$HOME/.hermes}"
    case "$root" in */profiles/*) root="${root%/profiles/*}" ;; esac
    local names="default" d
    for d in "$root"/profiles/*/; do
        [ -d "$d" ] && names="$names $(basename "$d")"
    done
    echo "$names"
}
"#;

/// Adds profile-name completion after `-p/--profile` to a generated script.
fn with_profile_names(shell: Shell, generated: &str) -> String {
    match shell {
        Shell::Bash => {
            // clap completes `--profile` values as files; wrap its function so a profile flag
            // before the cursor completes profile names instead.
            format!(
                "{PROFILES_SH}{generated}\n_hermes_with_profiles() {{\n    local prev=\"${{COMP_WORDS[COMP_CWORD-1]}}\"\n    if [[ \"$prev\" == \"-p\" || \"$prev\" == \"--profile\" ]]; then\n        COMPREPLY=($(compgen -W \"$(_hermes_profile_names)\" -- \"${{COMP_WORDS[COMP_CWORD]}}\"))\n        return 0\n    fi\n    _hermes \"$@\"\n}}\ncomplete -F _hermes_with_profiles -o nosort -o bashdefault -o default hermes\n"
            )
        }
        Shell::Zsh => generated.replace(
            "'-p+[Use this profile for this command only (accepted anywhere on the line)]:NAME:_default'",
            "'-p+[Use this profile for this command only (accepted anywhere on the line)]:NAME:_hermes_profiles'",
        ).replace(
            "'--profile=[Use this profile for this command only (accepted anywhere on the line)]:NAME:_default'",
            "'--profile=[Use this profile for this command only (accepted anywhere on the line)]:NAME:_hermes_profiles'",
        ) + "\n(( $+functions[_hermes_profiles] )) ||\n_hermes_profiles() {\n    local root=\"${HERMES_HOME:-$HOME/.hermes}\"\n    root=\"${root%/profiles/*}\"\n    local -a names\n    names=(default ${root}/profiles/*(N/:t))\n    _describe 'profile' names\n}\n",
        Shell::Fish => format!(
            "{generated}\nfunction __hermes_profile_names\n    set -l root $HERMES_HOME\n    test -z \"$root\"; and set root $HOME/.hermes\n    set root (string replace -r '/profiles/.*$' '' -- $root)\n    echo default\n    for d in $root/profiles/*/\n        basename $d\n    end\nend\ncomplete -c hermes -s p -l profile -x -a '(__hermes_profile_names)'\n"
        ),
        _ => generated.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_completion_is_wired() {
        assert!(script(Shell::Bash).contains("complete -F _hermes_with_profiles"));
        let zsh = script(Shell::Zsh);
        assert!(
            zsh.contains(":NAME:_hermes_profiles'"),
            "zsh spec changed; update the replacement"
        );
        assert!(script(Shell::Fish).contains("__hermes_profile_names"));
    }
}
