//! `hermes completion` — shell completion scripts. The scripts are generated from the command
//! tree, then taught profile names: after `-p/--profile`, and as the profile argument of
//! `profile use|show|delete|rename|alias|export`. Copies live in `completions/`.

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

// Every shell applies the same rule to the words before the cursor (the command name left
// out): the last one is `-p`/`--profile`; or, once options and their values are dropped, they
// are exactly `profile VERB` with VERB one of these, so the cursor is on VERB's first argument.
// Profile names are `default` plus the folders under `<root>/profiles`, where the root is
// `$HERMES_HOME` (or ~/.hermes), cut back to the root when it points into a profile.

/// Profile verbs whose first positional argument is an existing profile.
const VERBS: &str = "use show delete rename alias export";
/// Options whose value is the next word (so that word is not a positional).
const VALUE_OPTIONS: &str = "-p --profile --color -o --output --name";

fn bash_hook() -> String {
    format!(
        r#"
_hermes_profile_names() {{
    local root="${{HERMES_HOME:-$HOME/.hermes}}"
    case "$root" in */profiles/*) root="${{root%/profiles/*}}" ;; esac
    local names="default" d
    for d in "$root"/profiles/*/; do
        [ -d "$d" ] && names="$names $(basename "$d")"
    done
    echo "$names"
}}

# Succeeds when the word at the cursor is a profile name (see `hermes completion`'s rule).
_hermes_wants_profile() {{
    local prev="${{COMP_WORDS[COMP_CWORD-1]}}"
    case "$prev" in -p|--profile) return 0 ;; esac
    [[ "${{COMP_WORDS[COMP_CWORD]}}" == -* ]] && return 1
    local i w skip=0
    local -a rest=()
    for ((i = 1; i < COMP_CWORD; i++)); do
        w="${{COMP_WORDS[i]}}"
        if ((skip)); then skip=0; continue; fi
        case " {VALUE_OPTIONS} " in *" $w "*) skip=1; continue ;; esac
        [[ "$w" == -* ]] && continue
        rest+=("$w")
    done
    [[ ${{#rest[@]}} -eq 2 && "${{rest[0]}}" == profile && " {VERBS} " == *" ${{rest[1]}} "* ]]
}}

_hermes_with_profiles() {{
    if _hermes_wants_profile; then
        COMPREPLY=($(compgen -W "$(_hermes_profile_names)" -- "${{COMP_WORDS[COMP_CWORD]}}"))
        return 0
    fi
    _hermes "$@"
}}
complete -F _hermes_with_profiles -o nosort -o bashdefault -o default hermes
"#
    )
}

const ZSH_HOOK: &str = r#"
(( $+functions[_hermes_profiles] )) ||
_hermes_profiles() {
    local root="${HERMES_HOME:-$HOME/.hermes}"
    root="${root%/profiles/*}"
    local -a names
    names=(default ${root}/profiles/*(N/:t))
    _describe 'profile' names
}
"#;

/// zsh: clap's `_arguments` specs name the completer of each value; point the profile ones
/// at `_hermes_profiles`. Each pattern must match (checked by a test).
pub(crate) const ZSH_PROFILE_SPECS: &[&str] = &[
    "'-p+[Use this profile for this command only (accepted anywhere on the line)]:NAME:",
    "'--profile=[Use this profile for this command only (accepted anywhere on the line)]:NAME:",
    "':name -- Profile name, or `default`:",
    "'::name -- Profile name (default\\: the active profile):",
    "':name -- Profile name:",
    "':old -- Current name:",
];

fn zsh(generated: &str) -> String {
    let mut out = generated.to_string();
    for spec in ZSH_PROFILE_SPECS {
        out = out.replace(
            &format!("{spec}_default'"),
            &format!("{spec}_hermes_profiles'"),
        );
    }
    out + ZSH_HOOK
}

fn fish_hook() -> String {
    format!(
        r#"
function __hermes_profile_names
    set -l root $HERMES_HOME
    test -z "$root"; and set root $HOME/.hermes
    set root (string replace -r '/profiles/.*$' '' -- $root)
    echo default
    for d in $root/profiles/*/
        basename $d
    end
end

# True when the word at the cursor is a profile name (see `hermes completion`'s rule).
function __hermes_wants_profile
    set -l words (commandline -opc)
    set -e words[1]
    string match -q -- '-*' (commandline -ct); and return 1
    set -l rest
    set -l skip 0
    for w in $words
        if test $skip = 1
            set skip 0
            continue
        end
        if contains -- $w {VALUE_OPTIONS}
            set skip 1
        else if not string match -q -- '-*' $w
            set -a rest $w
        end
    end
    test (count $rest) -eq 2; and test "$rest[1]" = profile; and contains -- $rest[2] {VERBS}
end
complete -c hermes -s p -l profile -x -a '(__hermes_profile_names)'
complete -c hermes -n __hermes_wants_profile -f -a '(__hermes_profile_names)'
"#
    )
}

/// elvish: clap's completer is kept as `$hermes-clap-completer`; the one registered answers
/// profile positions itself and hands everything else to clap's (`$words` ends with the word
/// being typed). clap's completer throws on words it has no table for (a positional already
/// typed); that is caught, leaving no candidates.
fn elvish_hook() -> String {
    let verbs: Vec<String> = VERBS.split(' ').map(|v| format!("'{v}'")).collect();
    let options: Vec<String> = VALUE_OPTIONS.split(' ').map(|v| format!("'{v}'")).collect();
    format!(
        r"
set edit:completion:arg-completer[hermes] = {{|@words|
    var before = $words[1..-1]
    var wants = $false
    if (and (> (count $before) 0) (has-value ['-p' '--profile'] $before[-1])) {{
        set wants = $true
    }} elif (not (str:has-prefix $words[-1] '-')) {{
        var rest = []
        var skip = $false
        for w $before {{
            if $skip {{
                set skip = $false
            }} elif (has-value [{options}] $w) {{
                set skip = $true
            }} elif (not (str:has-prefix $w '-')) {{
                set rest = [$@rest $w]
            }}
        }}
        if (and (== (count $rest) 2) (==s $rest[0] 'profile') (has-value [{verbs}] $rest[1])) {{
            set wants = $true
        }}
    }}
    if $wants {{
        var root = $E:HOME/.hermes
        if (!=s $E:HERMES_HOME '') {{
            set root = $E:HERMES_HOME
        }}
        set root = (re:replace '/profiles/.*$' '' $root)
        put default
        for d [(put $root/profiles/*[nomatch-ok][type:dir])] {{
            path:base $d
        }}
    }} else {{
        try {{
            $hermes-clap-completer $@words
        }} catch {{
        }}
    }}
}}
",
        options = options.join(" "),
        verbs = verbs.join(" "),
    )
}

/// `PowerShell`: runs first inside clap's script block, which gets the word being typed, the
/// command's syntax tree and the cursor position.
fn powershell_hook() -> String {
    let quote = |list: &str| {
        list.split(' ')
            .map(|v| format!("'{v}'"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        r#"
    $hermesBefore = @($commandAst.CommandElements |
        Where-Object {{ $_.Extent.EndOffset -lt $cursorPosition }} |
        ForEach-Object {{ $_.ToString() }} | Select-Object -Skip 1)
    $hermesWants = $false
    if ($hermesBefore.Count -gt 0 -and @('-p', '--profile') -contains $hermesBefore[-1]) {{
        $hermesWants = $true
    }} elseif (-not $wordToComplete.StartsWith('-')) {{
        $hermesRest = @()
        $hermesSkip = $false
        foreach ($w in $hermesBefore) {{
            if ($hermesSkip) {{ $hermesSkip = $false }}
            elseif (@({options}) -contains $w) {{ $hermesSkip = $true }}
            elseif (-not $w.StartsWith('-')) {{ $hermesRest += $w }}
        }}
        $hermesWants = $hermesRest.Count -eq 2 -and $hermesRest[0] -eq 'profile' -and @({verbs}) -contains $hermesRest[1]
    }}
    if ($hermesWants) {{
        $hermesRoot = if ($env:HERMES_HOME) {{ $env:HERMES_HOME }} else {{ Join-Path $HOME '.hermes' }}
        $hermesRoot = $hermesRoot -replace '[/\\]profiles[/\\].*$', ''
        $hermesNames = @('default') + @(Get-ChildItem -Directory -Path (Join-Path $hermesRoot 'profiles') -ErrorAction SilentlyContinue |
            Where-Object {{ -not $_.Name.StartsWith('.') }} | ForEach-Object {{ $_.Name }})
        return $hermesNames | Where-Object {{ $_ -like "$wordToComplete*" }} | ForEach-Object {{
            [System.Management.Automation.CompletionResult]::new($_, $_, [System.Management.Automation.CompletionResultType]::ParameterValue, $_)
        }}
    }}
"#,
        options = quote(VALUE_OPTIONS),
        verbs = quote(VERBS),
    )
}

/// The line of clap's elvish script that registers its completer (renamed by the hook).
pub(crate) const ELVISH_ANCHOR: &str = "set edit:completion:arg-completer[hermes] = {|@words|\n";
/// The line of clap's `PowerShell` script after which the hook goes.
pub(crate) const POWERSHELL_ANCHOR: &str =
    "    param($wordToComplete, $commandAst, $cursorPosition)\n";

/// Inserts `hook` after the first `anchor`; clap's output without the anchor is a bug the
/// completion tests catch.
fn insert_after(generated: &str, anchor: &str, hook: &str) -> String {
    match generated.find(anchor) {
        Some(at) => {
            let end = at + anchor.len();
            format!("{}{hook}{}", &generated[..end], &generated[end..])
        }
        None => generated.to_string(),
    }
}

/// Adds profile-name completion to a generated script.
fn with_profile_names(shell: Shell, generated: &str) -> String {
    match shell {
        // clap completes these values as files; a wrapper answers profile positions first.
        Shell::Bash => format!("{generated}{}", bash_hook()),
        Shell::Zsh => zsh(generated),
        Shell::Fish => format!("{generated}{}", fish_hook()),
        Shell::Elvish => {
            // The hook uses `re:` and `path:`; clap's script imports only `builtin` and `str`.
            generated
                .replacen(ELVISH_ANCHOR, "var hermes-clap-completer = {|@words|\n", 1)
                .replacen("use str;\n", "use str;\nuse re;\nuse path;\n", 1)
                + &elvish_hook()
        }
        Shell::PowerShell => insert_after(generated, POWERSHELL_ANCHOR, &powershell_hook()),
        _ => generated.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shell_gets_the_profile_hook() {
        let bash = script(Shell::Bash);
        assert!(bash.contains("complete -F _hermes_with_profiles"));
        assert!(bash.contains("_hermes_wants_profile"));

        let zsh = script(Shell::Zsh);
        for spec in ZSH_PROFILE_SPECS {
            assert!(
                zsh.contains(&format!("{spec}_hermes_profiles'")),
                "zsh spec {spec} changed; update ZSH_PROFILE_SPECS"
            );
            assert!(!zsh.contains(&format!("{spec}_default'")), "{spec}");
        }
        // `profile create NAME` takes a new name: never offered existing ones.
        assert!(
            zsh.contains(
                "':name -- Profile name (lowercase letters, digits, `_` and `-`):_default'"
            )
        );

        assert!(script(Shell::Fish).contains("complete -c hermes -n __hermes_wants_profile"));

        let elvish = script(Shell::Elvish);
        assert!(
            elvish.contains("var hermes-clap-completer = {|@words|\n"),
            "clap's elvish script changed; update ELVISH_ANCHOR"
        );
        assert_eq!(elvish.matches(ELVISH_ANCHOR).count(), 1);
        assert!(elvish.contains("use re;\nuse path;\n"));

        let ps = script(Shell::PowerShell);
        assert!(
            ps.contains(&format!("{POWERSHELL_ANCHOR}\n    $hermesBefore")),
            "clap's PowerShell script changed; update POWERSHELL_ANCHOR"
        );
        assert_eq!(ps.matches("Register-ArgumentCompleter").count(), 1);
    }

    #[test]
    fn the_verb_list_matches_the_profile_command() {
        let cmd = Cli::command();
        let profile = cmd.find_subcommand("profile").expect("profile command");
        for verb in VERBS.split(' ') {
            let sub = profile
                .find_subcommand(verb)
                .unwrap_or_else(|| panic!("no `profile {verb}`"));
            let first = sub
                .get_positionals()
                .next()
                .unwrap_or_else(|| panic!("`profile {verb}` has no positional"));
            assert!(
                matches!(first.get_id().as_str(), "name" | "old"),
                "`profile {verb}`'s first argument is {}",
                first.get_id()
            );
        }
        // Options of these verbs that take a value are known, so their values are skipped.
        for sub in profile
            .get_subcommands()
            .filter(|s| VERBS.split(' ').any(|v| v == s.get_name()))
        {
            for arg in sub.get_arguments() {
                if arg.is_positional() || !arg.get_action().takes_values() {
                    continue;
                }
                for flag in arg
                    .get_short()
                    .map(|s| format!("-{s}"))
                    .into_iter()
                    .chain(arg.get_long().map(|l| format!("--{l}")))
                {
                    assert!(
                        VALUE_OPTIONS.split(' ').any(|o| o == flag),
                        "`profile {}` {flag} takes a value; add it to VALUE_OPTIONS",
                        sub.get_name()
                    );
                }
            }
        }
    }
}
