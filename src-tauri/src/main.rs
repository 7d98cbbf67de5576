// No console window behind the app on Windows.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() -> anyhow::Result<()> {
    // The browser extension's native-messaging host (the .deb's launcher starts it): no GUI.
    if std::env::args_os()
        .nth(1)
        .is_some_and(|a| a == "native-host")
    {
        return qoltanba::native_host::run();
    }
    qoltanba_app::run()
}
