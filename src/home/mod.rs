//! Homes and profiles: where state lives (`HermesPaths`), profile names, and the profile
//! verbs (create, clone, alias, rename, delete, export, import). Config files live in `config`.

mod alias;
mod archive;
mod error;
mod names;
mod paths;
mod profiles;

pub use alias::{
    AliasStatus, Wrapper, alias_collision, find_wrapper, read_wrapper, remove_wrapper,
    wrapper_script, write_wrapper,
};
pub use archive::{export_profile, import_profile};
pub use error::ProfileError;
pub use names::{ProfileName, RESERVED_NAMES, SUBCOMMAND_NAMES};
pub use paths::{HermesPaths, Resolution, ResolveInput, resolve};
pub use profiles::{
    CloneMode, CreateOptions, Created, Deleted, PROFILE_DIRS, ProfileInfo, Renamed, create_profile,
    delete_profile, list_profiles, profile_info, rename_profile, set_active_profile,
};
