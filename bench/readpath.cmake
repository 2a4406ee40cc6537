add_executable(readpath ${CMAKE_CURRENT_SOURCE_DIR}/readpath.c)
target_link_libraries(readpath PRIVATE c2h_io)
