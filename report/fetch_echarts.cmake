# report/fetch_echarts.cmake - run at build time by the CLV_REPORT block of
# the top-level CMakeLists.txt: installs the pinned Apache ECharts with
# `npm ci` into the build folder and copies echarts.min.js to OUT.
#
# Never fails the build: when npm is missing, offline or the install breaks,
# OUT is written empty, libclv is built without ECharts and `clv report`
# says so. -DLOCAL=path (CLV_ECHARTS_JS) uses a file already at hand.
#
# Variables: NPM, SRC (report/ of the source tree), WORK (npm folder), OUT.
if(LOCAL AND EXISTS "${LOCAL}")
  configure_file("${LOCAL}" "${OUT}" COPYONLY)
  return()
endif()
set(js "${WORK}/node_modules/echarts/dist/echarts.min.js")
if(NPM)
  file(MAKE_DIRECTORY "${WORK}")
  configure_file("${SRC}/package.json" "${WORK}/package.json" COPYONLY)
  configure_file("${SRC}/package-lock.json" "${WORK}/package-lock.json"
                 COPYONLY)
  execute_process(
    COMMAND "${NPM}" ci --ignore-scripts --no-audit --no-fund
            --loglevel=error
    WORKING_DIRECTORY "${WORK}"
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out
    TIMEOUT 300)
  if(NOT rc EQUAL 0)
    message(WARNING "clv report: npm ci failed (${rc}); building without "
                    "ECharts, `clv report` will not work.\n${out}")
  endif()
endif()
if(EXISTS "${js}")
  configure_file("${js}" "${OUT}" COPYONLY)
else()
  message(WARNING "clv report: echarts.min.js not available (npm missing or "
                  "offline); building without ECharts.")
  file(WRITE "${OUT}" "")
endif()
