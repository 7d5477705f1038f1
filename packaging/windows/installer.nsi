; The Windows installer of Voucher Batches, made by packaging/windows/build.sh with Debian's makensis:
;   makensis -DVERSION=1.2.3 -DSOURCE=<the one-folder bundle> -DOUTFILE=<setup.exe> installer.nsi
; It installs the bundle in Program Files, adds a Start menu entry, a desktop shortcut (optional) and
; an inbound Windows Firewall rule for private networks (optional, on by default) so that phones on
; the shop's network reach the claim site; its uninstaller keeps the store's data unless asked.
Unicode true
!include MUI2.nsh
!include x64.nsh
!include LogicLib.nsh

!ifndef VERSION
  !error "makensis -DVERSION=..."
!endif
!define APP "Voucher Batches"
!define EXE "voucher-batches.exe"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\VoucherBatches"
; the store's data: platformdirs' folder for voucher-batches (database, backups, logs, passwords file)
; and the window's QSettings; the Run value that "Start when I log in" writes
!define DATA "$LOCALAPPDATA\voucher-batches"
!define SETTINGS_KEY "Software\Voucher Batches"
!define RUN_KEY "Software\Microsoft\Windows\CurrentVersion\Run"

Name "${APP} ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\${APP}"
InstallDirRegKey HKLM "${UNINSTALL_KEY}" "InstallLocation"
RequestExecutionLevel admin  ; Program Files and the firewall rule need it
SetCompressor /SOLID lzma
VIProductVersion "${VERSION}.0"
VIAddVersionKey "ProductName" "${APP}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "FileDescription" "${APP} installer"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "LegalCopyright" "Voucher Batches developers"

!define MUI_ICON "${SOURCE}\..\..\..\packaging\windows\voucher-batches.ico"
!define MUI_UNICON "${SOURCE}\..\..\..\packaging\windows\voucher-batches.ico"
!define MUI_ABORTWARNING
!define MUI_COMPONENTSPAGE_NODESC
!define MUI_FINISHPAGE_RUN "$INSTDIR\${EXE}"
!define MUI_FINISHPAGE_RUN_TEXT "Start ${APP}"
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_COMPONENTS
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

Function .onInit
  ${If} ${RunningX64}
    SetRegView 64
  ${Else}
    MessageBox MB_ICONSTOP "${APP} needs 64-bit Windows 10 or 11."
    Abort
  ${EndIf}
FunctionEnd

Function un.onInit
  SetRegView 64
FunctionEnd

Section "${APP} (required)" SecApp
  SectionIn RO
  SetOutPath "$INSTDIR"
  File /r "${SOURCE}\*.*"
  WriteUninstaller "$INSTDIR\Uninstall.exe"
  SetShellVarContext all
  CreateDirectory "$SMPROGRAMS"
  CreateShortcut "$SMPROGRAMS\${APP}.lnk" "$INSTDIR\${EXE}" "" "$INSTDIR\${EXE}" 0
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayName" "${APP}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "Publisher" "Voucher Batches developers"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\${EXE}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\Uninstall.exe"'
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoRepair" 1
SectionEnd

Section "Desktop shortcut" SecDesktop
  SetShellVarContext all
  CreateShortcut "$DESKTOP\${APP}.lnk" "$INSTDIR\${EXE}" "" "$INSTDIR\${EXE}" 0
SectionEnd

; Phones reach the claim site through Windows Firewall only with a rule for the program; private
; networks only: on a network Windows calls Public the shop's PC stays closed (voucher-batches doctor says so)
Section "Allow phones on private networks (Windows Firewall)" SecFirewall
  nsExec::ExecToLog 'netsh advfirewall firewall delete rule name="${APP}"'
  Pop $0
  nsExec::ExecToLog 'netsh advfirewall firewall add rule name="${APP}" dir=in action=allow program="$INSTDIR\${EXE}" profile=private enable=yes'
  Pop $0
  ${If} $0 != 0
    DetailPrint "The firewall rule could not be added (netsh said $0): voucher-batches doctor says how to add it."
  ${EndIf}
SectionEnd

Section "un.${APP}" UnSecApp
  SectionIn RO
  SetShellVarContext all
  nsExec::ExecToLog 'netsh advfirewall firewall delete rule name="${APP}"'
  Pop $0
  Delete "$SMPROGRAMS\${APP}.lnk"
  Delete "$DESKTOP\${APP}.lnk"
  DeleteRegKey HKLM "${UNINSTALL_KEY}"
  SetShellVarContext current
  DeleteRegValue HKCU "${RUN_KEY}" "${APP}"  ; "Start when I log in": the program it starts is going
  RMDir /r "$INSTDIR"
SectionEnd

; Off unless ticked: the database holds every member and voucher, and its backups are beside it
Section /o "un.Also delete the store's data (database, backups, logs, settings)" UnSecData
  SetShellVarContext current
  RMDir /r "${DATA}"
  DeleteRegKey HKCU "${SETTINGS_KEY}"
SectionEnd
