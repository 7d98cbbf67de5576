; Qoltanba's per-user Windows installer (no administrator rights): makensis builds it on Linux.
;   makensis -DVERSION=0.1.0 -DBINDIR=<folder with qoltanba.exe [and qoltanba-app.exe]>
;            -DOUTFILE=<setup.exe> [-DWITH_APP] [-DWEBVIEW2_BOOTSTRAPPER=<MicrosoftEdgeWebview2Setup.exe>]
;            packaging/windows/qoltanba.nsi
; makensis runs in this folder (paths relative to it; pass BINDIR absolute).
; `make package-windows` passes these; `make windows` builds one from the debug exe and tests it
; under Wine (tests/wine.rs). Silent: setup.exe /S, uninstall.exe /S.

Unicode true
; The program is x86_64-only, and so is the installer (Wine without 32-bit support runs it too).
Target amd64-unicode
SetCompressor /SOLID lzma
RequestExecutionLevel user

!ifndef VERSION
  !error "pass -DVERSION=x.y.z"
!endif
!ifndef BINDIR
  !error "pass -DBINDIR=<folder with qoltanba.exe>"
!endif
!ifndef OUTFILE
  !define OUTFILE "qoltanba-${VERSION}-setup.exe"
!endif
!ifdef WITH_APP
  !define MAIN_EXE "qoltanba-app.exe"
!else
  !define MAIN_EXE "qoltanba.exe"
!endif

!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\Qoltanba"
; The value tauri-plugin-autostart reads and writes, so the tray's own switch agrees with it.
!define RUN_KEY "Software\Microsoft\Windows\CurrentVersion\Run"
!define WEBVIEW2_GUID "{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}"

!include "MUI2.nsh"

Name "Qoltanba"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\Qoltanba"
InstallDirRegKey HKCU "Software\Qoltanba" "InstallDir"
VIProductVersion "${VERSION}.0"
VIAddVersionKey "ProductName" "Qoltanba"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "FileDescription" "Qoltanba installer"
VIAddVersionKey "LegalCopyright" "Qoltanba contributors, Apache-2.0"

!define MUI_ICON "../../src-tauri/icons/icon.ico"
!define MUI_UNICON "../../src-tauri/icons/icon.ico"
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!ifdef WITH_APP
  !define MUI_FINISHPAGE_RUN "$INSTDIR\${MAIN_EXE}"
  !insertmacro MUI_PAGE_FINISH
!endif
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"
!insertmacro MUI_LANGUAGE "Russian"

Section "Qoltanba"
  SetOutPath "$INSTDIR"
  File "${BINDIR}/qoltanba.exe"
!ifdef WITH_APP
  File "${BINDIR}/qoltanba-app.exe"
  ; The GNU build of the tray loads WebView2's loader from a DLL next to it.
  File "${BINDIR}/WebView2Loader.dll"
  Call EnsureWebView2
  WriteRegStr HKCU "${RUN_KEY}" "Qoltanba" '"$INSTDIR\qoltanba-app.exe"'
!endif
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateDirectory "$SMPROGRAMS\Qoltanba"
  CreateShortcut "$SMPROGRAMS\Qoltanba\Qoltanba.lnk" "$INSTDIR\${MAIN_EXE}"
  CreateShortcut "$SMPROGRAMS\Qoltanba\Uninstall Qoltanba.lnk" "$INSTDIR\uninstall.exe"

  WriteRegStr HKCU "Software\Qoltanba" "InstallDir" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "Qoltanba"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "Qoltanba contributors"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\${MAIN_EXE}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
SectionEnd

!ifdef WITH_APP
; The tray's windows need the Edge WebView2 runtime (Windows 11 and current Windows 10 have
; it): the Evergreen bootstrapper installs it when none of the keys Microsoft documents is set.
Function EnsureWebView2
  ReadRegStr $0 HKLM "SOFTWARE\WOW6432Node\Microsoft\EdgeUpdate\Clients\${WEBVIEW2_GUID}" "pv"
  StrCmp $0 "" 0 +2
  ReadRegStr $0 HKLM "SOFTWARE\Microsoft\EdgeUpdate\Clients\${WEBVIEW2_GUID}" "pv"
  StrCmp $0 "" 0 +2
  ReadRegStr $0 HKCU "Software\Microsoft\EdgeUpdate\Clients\${WEBVIEW2_GUID}" "pv"
  StrCmp $0 "" missing
  StrCmp $0 "0.0.0.0" missing
  Return
missing:
  DetailPrint "Installing the Microsoft Edge WebView2 runtime the tray app needs"
  InitPluginsDir
!ifdef WEBVIEW2_BOOTSTRAPPER
  File "/oname=$PLUGINSDIR\MicrosoftEdgeWebview2Setup.exe" "${WEBVIEW2_BOOTSTRAPPER}"
!else
  nsExec::ExecToLog 'powershell -NoProfile -ExecutionPolicy Bypass -Command "Invoke-WebRequest -UseBasicParsing -Uri https://go.microsoft.com/fwlink/p/?LinkId=2124703 -OutFile \"$PLUGINSDIR\MicrosoftEdgeWebview2Setup.exe\""'
  Pop $1
!endif
  ClearErrors
  ExecWait '"$PLUGINSDIR\MicrosoftEdgeWebview2Setup.exe" /silent /install' $1
  IfErrors 0 +2
  StrCpy $1 "not run"
  StrCmp $1 "0" +2
  DetailPrint "WebView2 was not installed ($1): the signing service works; the tray's windows need it (https://go.microsoft.com/fwlink/p/?LinkId=2124703)"
FunctionEnd
!endif

Section "Uninstall"
  ; The local CA must not stay trusted once the program that made it is gone.
  IfFileExists "$INSTDIR\qoltanba.exe" 0 +2
  ExecWait '"$INSTDIR\qoltanba.exe" tls uninstall'
  RMDir /r "$APPDATA\Qoltanba\tls"
  DeleteRegValue HKCU "${RUN_KEY}" "Qoltanba"
  Delete "$INSTDIR\qoltanba.exe"
  Delete "$INSTDIR\qoltanba-app.exe"
  Delete "$INSTDIR\WebView2Loader.dll"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  Delete "$SMPROGRAMS\Qoltanba\Qoltanba.lnk"
  Delete "$SMPROGRAMS\Qoltanba\Uninstall Qoltanba.lnk"
  RMDir "$SMPROGRAMS\Qoltanba"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
  DeleteRegKey HKCU "Software\Qoltanba"
SectionEnd
