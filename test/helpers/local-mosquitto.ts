export { startMosquitto, type LocalMosquitto } from '../../bench/mosquitto.js'
