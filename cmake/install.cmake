# Production build options and the install layout (`cmake --install`).
# Included last from the top-level CMakeLists.txt, after bot/ and plugins/.
#
#   <prefix>/bin/hallway
#   <prefix>/<libdir>/hallway/plugins/*.so           (hallway_add_plugin)
#   <prefix>/include/hallway/{plugin,store,stmt,text,when,tz,civil,plan,...}.h
#   <prefix>/<libdir>/hallway/libhallway_text.a        (the shared helpers)
#   <prefix>/<libdir>/pkgconfig/hallway-plugin.pc     (plugindir variable)
#   <prefix>/lib/systemd/system/hallway.service       (HALLWAY_SYSTEMD_UNITDIR)
#   <prefix>/share/doc/hallway/{config.example.json,hallway.env.example,PRODUCTION.md}
#
# The unit file and the .pc file are written at install time, so their paths
# follow the prefix actually installed to (`cmake --install build --prefix X`
# and DESTDIR staging both give files that agree with the layout).

# sd_notify: optional. Without libsystemd-dev the daemon builds with no-op
# notifications (bot/ops/notify.c).
pkg_check_modules(SYSTEMD IMPORTED_TARGET libsystemd)
if(SYSTEMD_FOUND)
  target_link_libraries(hallway PRIVATE PkgConfig::SYSTEMD)
  target_compile_definitions(hallway PRIVATE HALLWAY_HAVE_SYSTEMD=1)
else()
  message(STATUS "libsystemd not found: sd_notify (Type=notify, watchdog) disabled")
endif()

set(HALLWAY_PLUGIN_INSTALL_DIR "${CMAKE_INSTALL_LIBDIR}/hallway/plugins")
set(HALLWAY_SYSTEMD_UNITDIR "lib/systemd/system" CACHE STRING
    "Where hallway.service is installed, relative to the prefix (or absolute)")

# An installed binary finds its plugins relative to itself: bin/../lib/...
# (host.c falls back to it when there is no plugins/ beside the binary).
file(RELATIVE_PATH hallway_plugin_reldir "${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}"
     "${CMAKE_INSTALL_PREFIX}/${HALLWAY_PLUGIN_INSTALL_DIR}")
target_compile_definitions(hallway PRIVATE HALLWAY_PLUGIN_RELDIR="${hallway_plugin_reldir}")

install(FILES ${CMAKE_SOURCE_DIR}/include/hallway/plugin.h
              ${CMAKE_SOURCE_DIR}/include/hallway/text.h ${CMAKE_SOURCE_DIR}/include/hallway/when.h
              ${CMAKE_SOURCE_DIR}/include/hallway/tz.h ${CMAKE_SOURCE_DIR}/include/hallway/civil.h
              ${CMAKE_SOURCE_DIR}/include/hallway/plan.h ${CMAKE_SOURCE_DIR}/include/hallway/stmt.h
              ${CMAKE_SOURCE_DIR}/include/hallway/dm_outbox.h ${CMAKE_SOURCE_DIR}/include/hallway/buf.h
              ${CMAKE_SOURCE_DIR}/include/hallway/reply.h ${CMAKE_SOURCE_DIR}/include/hallway/web.h
              ${CMAKE_SOURCE_DIR}/include/hallway/store.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/hallway)
# The shared helpers, for plugins built out of tree (position-independent,
# linked into the plugin's .so: see hallway-plugin.pc).
install(TARGETS hallway_text ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}/hallway)
# One example config for the demo and for installs: its relative paths
# start at its own folder, so the sample conference is installed beside it.
install(FILES ${CMAKE_SOURCE_DIR}/config.example.json
              ${CMAKE_SOURCE_DIR}/dist/hallway.env.example
              ${CMAKE_SOURCE_DIR}/docs/PRODUCTION.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

install(FILES ${CMAKE_SOURCE_DIR}/plugins/schedule/sample/hallwaycon.json
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/plugins/schedule/sample)

# Written at install time with the real prefix. SYSCONFDIR follows
# GNUInstallDirs: /etc for the /usr prefix, <prefix>/etc otherwise.
install(CODE "
  set(prefix \"\${CMAKE_INSTALL_PREFIX}\")
  set(HALLWAY_PREFIX \"\${prefix}\")
  set(HALLWAY_BINDIR \"\${prefix}/${CMAKE_INSTALL_BINDIR}\")
  set(HALLWAY_LIBDIR \"\${prefix}/${CMAKE_INSTALL_LIBDIR}\")
  set(HALLWAY_INCLUDEDIR \"\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}\")
  set(HALLWAY_PLUGINDIR \"\${prefix}/${HALLWAY_PLUGIN_INSTALL_DIR}\")
  set(HALLWAY_DOCDIR \"\${prefix}/${CMAKE_INSTALL_DOCDIR}\")
  if(IS_ABSOLUTE \"${CMAKE_INSTALL_SYSCONFDIR}\")
    set(HALLWAY_SYSCONFDIR \"${CMAKE_INSTALL_SYSCONFDIR}\")
  elseif(prefix STREQUAL \"/usr\")
    set(HALLWAY_SYSCONFDIR \"/etc\")
  else()
    set(HALLWAY_SYSCONFDIR \"\${prefix}/${CMAKE_INSTALL_SYSCONFDIR}\")
  endif()
  if(IS_ABSOLUTE \"${HALLWAY_SYSTEMD_UNITDIR}\")
    set(unitdir \"${HALLWAY_SYSTEMD_UNITDIR}\")
  else()
    set(unitdir \"\${prefix}/${HALLWAY_SYSTEMD_UNITDIR}\")
  endif()
  set(HALLWAY_VERSION \"${PROJECT_VERSION}\")
  configure_file(\"${CMAKE_SOURCE_DIR}/dist/hallway.service.in\"
                 \"\$ENV{DESTDIR}\${unitdir}/hallway.service\" @ONLY)
  configure_file(\"${CMAKE_SOURCE_DIR}/dist/hallway-plugin.pc.in\"
                 \"\$ENV{DESTDIR}\${HALLWAY_LIBDIR}/pkgconfig/hallway-plugin.pc\" @ONLY)
  message(STATUS \"Installing: \$ENV{DESTDIR}\${unitdir}/hallway.service\")
  message(STATUS \"Installing: \$ENV{DESTDIR}\${HALLWAY_LIBDIR}/pkgconfig/hallway-plugin.pc\")
")
