# Debian packages from the one build (`packaging/workbench.sh deb`, or `cpack -G DEB` in the
# build tree), one per install component:
#   cli → sculpt-cli_<version>_<arch>.deb: sculpt-cli, its LibTorch runtime and tokenizer
#         modules (lib/sculpt), the demo models, the man page. Qt-free, so it is also the
#         package for cluster nodes, and all a -DSCULPT_GUI=OFF build makes.
#   gui → sculpt_<version>_<arch>.deb: the window, its .desktop entry, icons and AppStream
#         metainfo; it depends on sculpt-cli of the same version, whose models it opens.

set(SCULPT_PACKAGING_DIR ${PROJECT_SOURCE_DIR}/packaging)
set(SCULPT_APP_ID io.github.sculpt.Sculpt)

# The changelog's newest entry and the metainfo's newest release must name the version being
# packaged: a bump that forgets them would ship a package that contradicts itself.
file(STRINGS ${SCULPT_PACKAGING_DIR}/changelog changelog_head LIMIT_COUNT 1)
file(READ ${SCULPT_PACKAGING_DIR}/${SCULPT_APP_ID}.metainfo.xml metainfo)
string(REGEX MATCH "<release version=\"[^\"]*\"" metainfo_release "${metainfo}")
if(NOT changelog_head MATCHES "^sculpt \\(${PROJECT_VERSION}\\) "
   OR NOT metainfo_release STREQUAL "<release version=\"${PROJECT_VERSION}\"")
  message(FATAL_ERROR "packaging/changelog and the metainfo's first <release> must name version ${PROJECT_VERSION}")
endif()

# Debian wants a changelog and man pages gzipped, without a timestamp (-n) so rebuilds match.
find_program(GZIP_PROGRAM gzip REQUIRED)
set(doc_dir ${CMAKE_BINARY_DIR}/packaging)
add_custom_command(OUTPUT ${doc_dir}/changelog.gz
  COMMAND ${CMAKE_COMMAND} -E make_directory ${doc_dir}
  COMMAND ${GZIP_PROGRAM} -9nc ${SCULPT_PACKAGING_DIR}/changelog > ${doc_dir}/changelog.gz
  DEPENDS ${SCULPT_PACKAGING_DIR}/changelog VERBATIM)
set(package_files ${doc_dir}/changelog.gz)

# Man pages from the built programs' own --help and --version, so they never drift from them.
find_program(HELP2MAN_PROGRAM help2man)
function(sculpt_man_page target name component) # [help2man options…]
  if(NOT HELP2MAN_PROGRAM)
    return()
  endif()
  set(page ${doc_dir}/${target}.1.gz)
  # The window parses its options before it opens one; offscreen, it needs no display.
  add_custom_command(OUTPUT ${page}
    COMMAND ${CMAKE_COMMAND} -E env QT_QPA_PLATFORM=offscreen
            ${HELP2MAN_PROGRAM} --no-info --section 1 --name ${name} ${ARGN} --output ${doc_dir}/${target}.1 $<TARGET_FILE:${target}>
    COMMAND ${GZIP_PROGRAM} -9nf ${doc_dir}/${target}.1
    DEPENDS ${target} VERBATIM)
  install(FILES ${page} DESTINATION share/man/man1 COMPONENT ${component})
  set(package_files ${package_files} ${page} PARENT_SCOPE)
endfunction()
if(NOT HELP2MAN_PROGRAM)
  message(WARNING "help2man not found: the packages will have no man pages (packaging/setup.sh installs it)")
endif()

sculpt_man_page(sculpt-cli "headless model surgery: inspect, spectra, compress, evaluate" cli)
install(FILES ${SCULPT_PACKAGING_DIR}/copyright ${doc_dir}/changelog.gz DESTINATION share/doc/sculpt-cli COMPONENT cli)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/resources/models/ DESTINATION share/sculpt/models COMPONENT cli)

if(SCULPT_GUI)
  # The window's --version names the application, "Sculpt"; the page is for the command.
  sculpt_man_page(sculpt "workbench for model surgery" gui --version-string "sculpt ${PROJECT_VERSION}")
  install(FILES ${SCULPT_PACKAGING_DIR}/copyright ${doc_dir}/changelog.gz DESTINATION share/doc/sculpt COMPONENT gui)
  install(FILES ${SCULPT_PACKAGING_DIR}/${SCULPT_APP_ID}.desktop DESTINATION share/applications COMPONENT gui)
  install(FILES ${SCULPT_PACKAGING_DIR}/${SCULPT_APP_ID}.metainfo.xml DESTINATION share/metainfo COMPONENT gui)
  install(FILES ${SCULPT_PACKAGING_DIR}/icons/sculpt.svg DESTINATION share/icons/hicolor/scalable/apps COMPONENT gui)
  # Bitmaps for the menus and docks that do not draw SVG, rendered from the one drawing.
  find_program(RSVG_CONVERT_PROGRAM rsvg-convert)
  if(RSVG_CONVERT_PROGRAM)
    foreach(size 16 24 32 48 64 128 256)
      set(png ${doc_dir}/icons/${size}/sculpt.png)
      add_custom_command(OUTPUT ${png}
        COMMAND ${CMAKE_COMMAND} -E make_directory ${doc_dir}/icons/${size}
        COMMAND ${RSVG_CONVERT_PROGRAM} -w ${size} -h ${size} -o ${png} ${SCULPT_PACKAGING_DIR}/icons/sculpt.svg
        DEPENDS ${SCULPT_PACKAGING_DIR}/icons/sculpt.svg VERBATIM)
      install(FILES ${png} DESTINATION share/icons/hicolor/${size}x${size}/apps COMPONENT gui)
      list(APPEND package_files ${png})
    endforeach()
  else()
    message(WARNING "rsvg-convert not found: the sculpt package will have only the SVG icon (packaging/setup.sh installs librsvg2-bin)")
  endif()
endif()
# Everything the packages hold, in one target: `workbench.sh deb` builds it, and
# test_debian_package depends on it.
add_custom_target(sculpt_packaged ALL DEPENDS ${package_files})
foreach(target sculpt sculpt-cli sculpt-cli-runtime sculpt-sentencepiece sculpt-sentencepiece-train)
  if(TARGET ${target})
    add_dependencies(sculpt_packaged ${target})
  endif()
endforeach()

# cpack installs what the build made and builds nothing itself: without this, its `preinstall`
# step would build `all` — the whole test suite and the benchmarks — before every package.
# What the packages ship is sculpt_packaged.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

set(CPACK_PACKAGE_NAME sculpt)
set(CPACK_PACKAGE_CONTACT "Sculpt maintainers <maintainers@users.noreply.r-seed-1281739d.example>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_STRIP_FILES ON)
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)

set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON) # gui's DEPENDS below → "sculpt-cli (= version)"

# Each description's first line is its package's synopsis. CPack would put the project's summary
# above both unless it is CPack's own default, so it is set to that default (checked below).
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${CMAKE_PROJECT_NAME} built using CMake")
set(CPACK_DEBIAN_CLI_PACKAGE_NAME sculpt-cli)
set(CPACK_COMPONENT_CLI_DESCRIPTION "headless workbench for model surgery
sculpt-cli inspects neural-network checkpoints (safetensors, GGUF, PyTorch,
llama2.c, Hugging Face folders), computes the singular spectra of their
weight matrices, runs compression passes and adapters, evaluates and
generates, locally or as Slurm job arrays. It has no window and does not
link Qt, so it is the package for cluster nodes.

Includes the LibTorch runtime and SentencePiece tokenizer modules and the
demo models trained by the project (a ViT, a LLaMA and a LLaVA-style model).")
set(CPACK_DEBIAN_GUI_PACKAGE_NAME sculpt)
set(CPACK_COMPONENT_GUI_DESCRIPTION "workbench for model surgery
Sculpt opens a neural-network checkpoint, shows every layer with its
singular spectrum and spectral metrics, runs compression passes as
background jobs, compares the results side by side and exports them.

This package holds the Qt window; the headless commands and the demo models
it opens come with sculpt-cli.")

include(CPack)
if(NOT CPACK_PACKAGE_DESCRIPTION_SUMMARY STREQUAL CPACK_DEFAULT_PACKAGE_DESCRIPTION_SUMMARY)
  message(FATAL_ERROR "CPack's default summary is now \"${CPACK_DEFAULT_PACKAGE_DESCRIPTION_SUMMARY}\": update CPACK_PACKAGE_DESCRIPTION_SUMMARY")
endif()
cpack_add_component(cli DISPLAY_NAME "sculpt-cli")
if(SCULPT_GUI)
  cpack_add_component(gui DISPLAY_NAME "Sculpt" DEPENDS cli)
endif()
