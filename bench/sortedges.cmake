add_executable(sortedges ${CMAKE_CURRENT_SOURCE_DIR}/sortedges.c)
target_link_libraries(sortedges PRIVATE c2h_partition)
