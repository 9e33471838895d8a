# Install step: the files whose content or place depends on the install prefix, which is known
# only now (`cmake --install --prefix P`, or /usr when CPack builds the .deb with DESTDIR).
# GNUInstallDirs' rule: prefix /usr keeps its configuration in /etc, any other prefix in
# PREFIX/etc. file(INSTALL) adds $DESTDIR and records the files in install_manifest.txt.
function(xrca_absolute out relative_or_absolute)
  if(IS_ABSOLUTE "${relative_or_absolute}")
    set(${out} "${relative_or_absolute}" PARENT_SCOPE)
  else()
    set(${out} "${CMAKE_INSTALL_PREFIX}/${relative_or_absolute}" PARENT_SCOPE)
  endif()
endfunction()

xrca_absolute(XRCA_BINDIR "${XRCA_BINDIR}")
xrca_absolute(XRCA_DOCDIR "${XRCA_DOCDIR}")
xrca_absolute(unit_dir "${XRCA_SYSTEMD_UNIT_DIR}")
if(IS_ABSOLUTE "${XRCA_SYSCONFDIR}")
  # given absolute at configure time: kept
elseif(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(XRCA_SYSCONFDIR "/etc")
else()
  set(XRCA_SYSCONFDIR "${CMAKE_INSTALL_PREFIX}/${XRCA_SYSCONFDIR}")
endif()

configure_file("${XRCA_UNIT_TEMPLATE}" "${XRCA_INSTALL_WORK_DIR}/xrca.service" @ONLY)
file(INSTALL DESTINATION "${unit_dir}" TYPE FILE FILES "${XRCA_INSTALL_WORK_DIR}/xrca.service")
# Only the example: the live xrca.conf is the administrator's, never overwritten by an upgrade.
file(INSTALL DESTINATION "${XRCA_SYSCONFDIR}/xrca" TYPE FILE RENAME xrca.conf.example FILES "${XRCA_CONFIG_EXAMPLE}")
