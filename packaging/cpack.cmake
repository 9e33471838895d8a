# `cpack -G DEB` (from the build directory) makes xrca_VERSION_ARCH.deb of what `cmake --install`
# installs, with the prefix /usr. The Depends line is computed by dpkg-shlibdeps from the
# libraries the binary links (Botan, SQLite, pugixml, libmicrohttpd, libpq, OpenSSL), plus
# libcurl, which the binary loads only for online calls (enrollment/curl_library.h), so that
# dpkg-shlibdeps cannot see it; the maintainer scripts create the system user xrca (docs/install.md).
set(CPACK_PACKAGE_NAME xrca)
set(CPACK_PACKAGE_VENDOR "xrca")
set(CPACK_PACKAGE_CONTACT "xrca maintainers <xrca@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "RMS-style certificate hierarchy and registration authority")
set(CPACK_PACKAGE_DESCRIPTION
    "xrca issues and verifies the XrML certificates of a rights management system: the\n"
    "enrollment service, root and licensing clusters, machine activation, rights account\n"
    "certificates and client licensor certificates, online (a SOAP service under systemd) and\n"
    "across an air gap.")
string(REPLACE ";" "" CPACK_PACKAGE_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION}")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Appended to what dpkg-shlibdeps finds. 7.85: CURLOPT_PROTOCOLS_STR.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libcurl4 (>= 7.85.0)")
# useradd (passwd) is essential on Debian; systemd is what runs the unit but is not required
# for the command-line tools.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "systemd")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "softhsm2, postgresql-client")

configure_file(${CMAKE_CURRENT_LIST_DIR}/debian/conffiles.in ${CMAKE_CURRENT_BINARY_DIR}/debian/conffiles @ONLY)
foreach(script postinst prerm postrm)
  file(COPY ${CMAKE_CURRENT_LIST_DIR}/debian/${script} DESTINATION ${CMAKE_CURRENT_BINARY_DIR}/debian
       FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
endforeach()
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_CURRENT_BINARY_DIR}/debian/conffiles ${CMAKE_CURRENT_BINARY_DIR}/debian/postinst
    ${CMAKE_CURRENT_BINARY_DIR}/debian/prerm ${CMAKE_CURRENT_BINARY_DIR}/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)
