//! The terminal prompt, driven through a pseudo-terminal by tests/terminal_prompt.py.

use std::process::Command;

#[test]
fn terminal_prompt_chooses_by_number_and_asks_again_after_a_wrong_password() {
    let output = Command::new("python3")
        .arg("tests/terminal_prompt.py")
        .arg(env!("CARGO_BIN_EXE_qoltanba"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
